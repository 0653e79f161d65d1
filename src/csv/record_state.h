// The one state machine that decides where a CSV record ends.
//
// RecordParser, RecordSplitter and the header reader all follow it, so a chunk
// cut by the splitter always ends where the parser ends a record, for every
// chunk size, and a chunk may start parsing in kFieldStart.
//
// The rule (RFC 4180, read the lenient way Python's csv module, spreadsheet
// programs and DuckDB read it by default):
// - a quote opens a quoted field only as the first byte of a field;
// - inside a quoted field a doubled quote is one quote and a single quote
//   closes the field; bytes after a closing quote (other than a delimiter or
//   a line ending) continue the field unquoted;
// - anywhere else a quote is data (`1,O"Brien` has the field `O"Brien`), so a
//   stray quote never swallows the rows after it;
// - a '\n' outside a quoted field ends the record ('\r' before it is part of
//   the line ending, which the parser strips; to this machine it is data).
// Only a quoted field that is never closed runs to the end of the input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "csv/dialect.h"

namespace csv2ddb {

enum class RecordState : uint8_t {
  kFieldStart = 0,     // at a field's first byte (and at a record's start)
  kUnquoted = 1,       // in a field that did not open with a quote
  kQuoted = 2,         // in a quoted field
  kQuoteInQuoted = 3,  // just after a quote in a quoted field: it closed, or doubles
};

// Table-driven: the dialect only builds the table; Step() is one lookup.
// Immutable after construction, so one machine may be shared by threads.
class RecordStateMachine {
 public:
  explicit RecordStateMachine(const Dialect& dialect);

  // The state after `byte` read in `state`. A record ends at a '\n' read in any
  // state but kQuoted; the state after it is kFieldStart.
  RecordState Step(RecordState state, char byte) const {
    return next_[static_cast<size_t>(state) * 256 + static_cast<uint8_t>(byte)];
  }
  static bool EndsRecord(RecordState state, char byte) {
    return byte == '\n' && state != RecordState::kQuoted;
  }

  // Runs the machine over data[from, data.size()) starting in `*state`, and
  // returns the index just past the first record-ending '\n' at an index
  // >= `first_cut`, leaving `*state` as it is after that byte (kFieldStart).
  // Returns npos when there is none: then every byte has been read and
  // `*state` is the state at the end of `data`, so a caller can append bytes
  // and call again from data.size().
  size_t FindRecordEnd(std::string_view data, size_t from, size_t first_cut,
                       RecordState* state) const;

  static constexpr size_t npos = static_cast<size_t>(-1);

 private:
  const char quote_;
  const char delimiter_;
  RecordState next_[4 * 256];
};

}  // namespace csv2ddb
