// Process-wide SQLite settings, applied once before the first connection
// opens (the journal and the embedded table both call it).
#pragma once

namespace csv2ddb {

// Turns off SQLite's memory statistics, which take a global mutex on every
// allocation (several per row written), and which csv2ddb never reads. Call
// before opening a connection; safe from any thread and any number of times.
// SQLite takes the setting only while it is not yet initialized: if another
// part of the process opened a connection first, the call changes nothing.
void ConfigureSqlite();

}  // namespace csv2ddb
