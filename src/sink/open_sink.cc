#include "sink/null_sink.h"
#include "sink/sink.h"
#include "sink/sqlite_sink.h"

namespace csv2ddb {

Result<std::unique_ptr<Sink>> OpenSink(const std::string& uri) {
  if (uri == "null://" || uri == "null:") return std::unique_ptr<Sink>(new NullSink());
  const std::string sqlite = "sqlite://";
  if (uri.rfind(sqlite, 0) == 0) {
    const std::string path = uri.substr(sqlite.size());
    if (path.empty())
      return Status::InvalidArgument("target '" + uri + "': give a path, e.g. sqlite://out.sqlite");
    auto sink = SqliteSink::Open(path);
    if (!sink.ok()) return sink.status();
    return std::unique_ptr<Sink>(std::move(sink).value());
  }
  return Status::InvalidArgument("target '" + uri +
                                 "': unknown target (use sqlite://PATH or null://)");
}

}  // namespace csv2ddb
