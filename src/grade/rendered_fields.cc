#include "grade/rendered_fields.h"

namespace llmstack {

std::vector<RenderedField> RenderFields(const ReplyGrade& grade, ByteView request, ByteView reply) {
  std::vector<RenderedField> out;
  out.reserve(grade.fields.size());
  for (const FieldVerdict& f : grade.fields) {
    RenderedField r;
    r.name = GetFieldInfo(f.id).name;
    r.offset = f.offset;
    r.length = f.length;
    r.expected = FormatFieldValue(f.expected, request, reply, grade.literals);
    r.actual = FormatFieldValue(f.actual, request, reply, grade.literals);
    r.grade = f.grade;
    r.note = FieldNote(f);
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace llmstack
