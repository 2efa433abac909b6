// `finbrain service evaluate --world DIR`: the bot on a simulated world's conversations.
#pragma once

#include <vector>

#include "apps/finbrain/cli.h"
#include "service/knowledge_base.h"

namespace finbrain::cli {

// Prints one JSON object: the in-scope answer rate and precision, out-of-scope turns answered,
// "person please" and angry turns handed off, account answers about the right account and
// amount, with counts by kind; and, unless --learn is 0, the same for the later conversations
// before and after agents' answers to the earlier ones were published as alternative questions.
// With --mistakes, the turns it got wrong on stderr.
Status EvaluateOnWorld(std::vector<service::KbEntry> kb, const Args& a);

}  // namespace finbrain::cli
