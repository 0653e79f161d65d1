#include "csv/record_state.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace csv2ddb {
namespace {

// FindRecordEnd by the definition: Step() over every byte.
size_t StepByStep(const RecordStateMachine& m, std::string_view data, size_t from, size_t first_cut,
                  RecordState* state) {
  RecordState s = *state;
  for (size_t i = from; i < data.size(); ++i) {
    if (RecordStateMachine::EndsRecord(s, data[i]) && i >= first_cut) {
      *state = RecordState::kFieldStart;
      return i + 1;
    }
    s = m.Step(s, data[i]);
  }
  *state = s;
  return RecordStateMachine::npos;
}

// The scan skips runs without quotes (and inside quotes) with memchr: it must
// still give the byte-by-byte answer, from every start state and offset, for
// quotes at field starts, inside fields, doubled and unclosed.
TEST(RecordStateMachine, FindRecordEndMatchesStepByStep) {
  for (const Dialect& dialect : {Dialect{}, Dialect{';', '\''}}) {
    const RecordStateMachine m(dialect);
    const std::string alphabet = std::string("ab\r\n\n") + dialect.delimiter + dialect.delimiter +
                                 dialect.quote + dialect.quote;
    std::mt19937 rng(7);
    for (int round = 0; round < 400; ++round) {
      std::string data;
      const size_t len = rng() % 40;
      for (size_t i = 0; i < len; ++i) data += alphabet[rng() % alphabet.size()];
      for (size_t from = 0; from <= data.size(); ++from) {
        for (size_t cut = from; cut <= data.size() + 1; ++cut) {
          for (int s0 = 0; s0 < 4; ++s0) {
            RecordState want_state = static_cast<RecordState>(s0);
            RecordState got_state = want_state;
            const size_t want = StepByStep(m, data, from, cut, &want_state);
            const size_t got = m.FindRecordEnd(data, from, cut, &got_state);
            ASSERT_EQ(got, want) << "data '" << data << "' from " << from << " cut " << cut
                                 << " state " << s0;
            ASSERT_EQ(got_state, want_state) << "data '" << data << "' from " << from;
          }
        }
      }
    }
  }
}

}  // namespace
}  // namespace csv2ddb
