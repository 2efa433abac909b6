// Idempotent decisions: a request under an id that was decided before (an application_id, a
// transaction's event_id) with the same content is answered with the stored decision, marked as
// a replay; with other content it is refused (kIdempotencyConflict, naming the fields).
//
// Example (an HTTP route):
//   if (IsReplayedAnswer(record)) response.headers.emplace_back("Idempotent-Replayed", "true");
#pragma once

#include <string_view>

namespace finbrain::decision {

// A replayed answer starts with this member: {"replayed":true,...the stored record...}.
inline constexpr std::string_view kReplayedAnswerPrefix = R"({"replayed":true,)";

inline bool IsReplayedAnswer(std::string_view answer) {
  return answer.starts_with(kReplayedAnswerPrefix);
}

}  // namespace finbrain::decision
