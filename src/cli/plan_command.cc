// `csv2ddb plan`: the record-aligned chunk manifest for the range mode of the
// Distributed Map (its JSON ItemReader reads the manifest; each worker reads
// its byte ranges from S3 itself).
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdio>
#include <fstream>

#include "aws/s3/s3_client.h"
#include "cli/run_command.h"
#include "csv/header_reader.h"
#include "execution/aws_io.h"
#include "mapping/mapping.h"
#include "report/event_log.h"
#include "split/record_splitter.h"

namespace csv2ddb {

int PlanCommand(const RunOptions& o, const std::string& out) {
  const auto fail = [](const std::string& msg) {
    LogEvent(LogLevel::kError, "error", msg);
    return kExitUsage;
  };
  Dialect dialect;
  bool has_header_row = true;
  if (!o.mapping.empty()) {
    Result<Mapping> mapping = LoadMapping(o.mapping);
    if (!mapping.ok()) return fail(mapping.status().message());
    dialect = mapping->dialect;
    has_header_row = mapping->has_header_row;
  }
  AwsIoOptions io_options;
  io_options.region = o.sink.region;
  io_options.profile = o.sink.profile;
  io_options.s3_endpoint_url = o.s3_endpoint_url;
  io_options.endpoint_url = o.sink.endpoint_url;
  AwsIo io(io_options);
  std::string identity;
  Result<std::unique_ptr<ByteSource>> source = io.OpenInput(o.input, &identity);
  if (!source.ok()) return fail(source.status().message());
  Result<InputStart> start = ReadInputStart(source->get(), dialect, has_header_row);
  if (!start.ok()) return fail(start.status().message());

  std::string bucket, key;
  const bool s3 = o.input.rfind("s3://", 0) == 0;
  if (s3) {
    Result<aws::S3Uri> uri = aws::ParseS3Uri(o.input);
    if (!uri.ok()) return fail(uri.status().message());
    bucket = uri->bucket;
    key = uri->key;
  }
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  const auto str = [&w](const std::string& v) {
    w.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
  };
  RecordSplitter splitter(source->get(), dialect, o.chunk_size, std::move(start->rest),
                          start->offset, start->first_line);
  uint64_t end = start->offset;
  w.StartArray();
  for (;;) {
    Result<std::optional<Chunk>> chunk = splitter.Next();
    if (!chunk.ok()) return fail(chunk.status().message());
    if (!chunk->has_value()) break;
    const Chunk& c = **chunk;
    w.StartObject();
    if (s3) {
      w.Key("bucket");
      str(bucket);
      w.Key("key");
      str(key);
    } else {
      w.Key("path");
      str(o.input);
    }
    w.Key("start");
    w.Uint64(c.offset);
    w.Key("end");  // exclusive
    w.Uint64(c.offset + c.data.size());
    w.Key("first_line");
    w.Uint64(c.first_line);
    w.EndObject();
    end = c.offset + c.data.size();
  }
  w.EndArray();
  // Byte ranges address the stored object: a compressed one cannot be split.
  if ((*source)->RawSize() != 0 && end != (*source)->RawSize()) {
    return fail("input '" + o.input + "' is compressed; plan needs an uncompressed object");
  }
  const std::string manifest(sb.GetString(), sb.GetSize());
  if (out == "-" || out.empty()) {
    std::fwrite(manifest.data(), 1, manifest.size(), stdout);
    std::fputc('\n', stdout);
  } else if (out.rfind("s3://", 0) == 0) {
    if (Status st = io.PutS3Object(out, manifest); !st.ok()) {
      LogEvent(LogLevel::kError, "error", st.message());
      return kExitFailed;
    }
  } else {
    std::ofstream f(out, std::ios::binary);
    f << manifest;
    if (!f) return fail("cannot write '" + out + "'");
  }
  return kExitOk;
}

}  // namespace csv2ddb
