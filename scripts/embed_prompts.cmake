# Writes a C++ source holding every prompts/*.md file as a string, so that the default prompts
# work from any directory and from an installed binary.
file(GLOB files ${DIR}/*.md)
list(SORT files)
set(body "// Generated from prompts/ by scripts/embed_prompts.cmake.\n#include \"embedded_prompts.h\"\n\nnamespace llmstack {\n\nconst std::vector<EmbeddedPrompt>& EmbeddedPrompts() {\n  static const std::vector<EmbeddedPrompt> prompts = {\n")
foreach(f ${files})
  get_filename_component(name ${f} NAME)
  file(READ ${f} content HEX)
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "\\\\x\\1" escaped "${content}")
  # Break the literal so no single line grows unbounded.
  string(REGEX REPLACE "((\\\\x[0-9a-f][0-9a-f]){64})" "\\1\"\n      \"" escaped "${escaped}")
  string(APPEND body "    {\"${name}\", std::string(\n      \"${escaped}\")},\n")
endforeach()
string(APPEND body "  };\n  return prompts;\n}\n\n}  // namespace llmstack\n")
file(WRITE ${OUT}.tmp "${body}")
file(COPY_FILE ${OUT}.tmp ${OUT} ONLY_IF_DIFFERENT)
