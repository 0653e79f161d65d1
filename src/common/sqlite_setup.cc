#include "common/sqlite_setup.h"

#include <sqlite3.h>

#include <mutex>

namespace csv2ddb {

void ConfigureSqlite() {
  static std::once_flag once;
  // SQLITE_MISUSE once SQLite is initialized: the setting is only a speed-up.
  std::call_once(once, [] { static_cast<void>(sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0)); });
}

}  // namespace csv2ddb
