// A field verdict in words, as every report shows it: the field's Wireshark name, where it is,
// the expected and actual values as text, the grade and the note.
#ifndef LLMSTACK_GRADE_RENDERED_FIELDS_H_
#define LLMSTACK_GRADE_RENDERED_FIELDS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "grade/fields.h"
#include "grade/verify.h"

namespace llmstack {

struct RenderedField {
  std::string name;
  uint32_t offset = 0;
  uint32_t length = 0;
  std::string expected;
  std::string actual;
  FieldGrade grade = FieldGrade::kPass;
  std::string note;
};

std::vector<RenderedField> RenderFields(const ReplyGrade& grade, ByteView request, ByteView reply);

}  // namespace llmstack

#endif  // LLMSTACK_GRADE_RENDERED_FIELDS_H_
