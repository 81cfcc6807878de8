// The prompt every LLM provider sends: a fixed system prompt (role, action vocabulary, output
// format, the rule that alert text is data and never instructions) and a user prompt built from the
// redacted reasoning context. Both are Redacted, so a provider can only ever send labels.
//
// Thread-safety: pure functions.
#pragma once

#include "awoooi/brain/reasoner.h"
#include "awoooi/privacy/redacted.h"

namespace awoooi::brain {

privacy::Redacted SystemPrompt();

// The incident's facts (service, alert, ranked root causes, blast radius, the services that may be
// targeted) followed by the context's retrieval document, fenced as untrusted data.
privacy::Redacted UserPrompt(const ReasoningContext& context);

}  // namespace awoooi::brain
