#include "lambda/byte_ranges.h"

#include <simdjson.h>

#include <algorithm>
#include <map>
#include <utility>

#include "csv/header_reader.h"
#include "csv/record_writer.h"
#include "source/memory_source.h"

namespace csv2ddb::lambda {

namespace {

constexpr size_t kFirstHeaderRead = 64 << 10;
constexpr size_t kMaxHeaderRead = 1 << 20;

struct ObjectHeader {
  std::vector<std::string> header;
  std::string header_raw;
  uint64_t header_end = 0;  // bytes of the BOM and header row, line ending included
  uint64_t header_lines = 0;
};

// Reads the header row at the start of `uri` (two GETs at most).
Result<ObjectHeader> ReadObjectHeader(const aws::S3Client& s3, const aws::S3Uri& uri,
                                      const Mapping& mapping) {
  ObjectHeader h;
  if (!mapping.has_header_row) {
    h.header = mapping.header;
    return h;
  }
  for (size_t want : {kFirstHeaderRead, kMaxHeaderRead}) {
    aws::S3GetOptions get;
    get.range = std::make_pair(uint64_t{0}, uint64_t{want - 1});
    Result<aws::S3GetResult> got = s3.GetObject(uri, get);
    if (!got.ok()) return got.status();
    const std::string& body = got->body;
    const bool whole = body.size() >= got->object_size;
    MemorySource source(body, SIZE_MAX, uri.ToString());
    Result<InputStart> start = ReadInputStart(&source, mapping.dialect, true);
    if (!start.ok()) return start.status();
    const uint64_t end = start->offset;
    const bool complete = whole || (end > 0 && end <= body.size() && body[end - 1] == '\n');
    if (!complete) continue;
    h.header = mapping.header.empty() ? start->header : mapping.header;
    h.header_raw = mapping.header.empty() ? start->header_raw
                                          : FormatCsvRecord(mapping.header, mapping.dialect);
    h.header_end = end;
    h.header_lines = static_cast<uint64_t>(std::count(body.begin(), body.begin() + end, '\n'));
    return h;
  }
  return Status::InvalidArgument(uri.ToString() + ": the header row is longer than 1 MiB");
}

}  // namespace

Status ProcessByteRanges(const aws::S3Client& s3, const Mapping& mapping,
                         const std::vector<ByteRange>& ranges, BatchProcessor* out,
                         std::string* error_type, const std::function<bool()>& out_of_time,
                         uint64_t* not_done) {
  if (not_done != nullptr) *not_done = 0;
  std::map<std::string, ObjectHeader> headers;  // by s3:// URI
  for (size_t i = 0; i < ranges.size(); ++i) {
    if (out_of_time && out_of_time()) {
      if (not_done != nullptr) *not_done = ranges.size() - i;
      return Status::OK();
    }
    const ByteRange& range = ranges[i];
    const aws::S3Uri uri{range.bucket, range.key};
    const std::string name = uri.ToString();
    auto it = headers.find(name);
    if (it == headers.end()) {
      Result<ObjectHeader> h = ReadObjectHeader(s3, uri, mapping);
      if (!h.ok()) {
        *error_type =
            h.status().code() == Status::Code::kInvalidArgument ? kInvalidInput : kReadFailed;
        return h.status();
      }
      it = headers.emplace(name, std::move(h).value()).first;
    }
    const ObjectHeader& h = it->second;
    const std::string header_raw =
        h.header_raw.empty() ? FormatCsvRecord(h.header, mapping.dialect) : h.header_raw;
    if (Status st = out->Bind(h.header, header_raw); !st.ok()) {
      *error_type = kInvalidInput;
      return st.WithContext(name);
    }
    const uint64_t start = std::max(range.start, h.header_end);
    if (range.end <= start) continue;

    aws::S3GetOptions get;
    get.range = std::make_pair(start, range.end - 1);
    Result<aws::S3GetResult> got = s3.GetObject(uri, get);
    if (!got.ok()) {
      *error_type = kReadFailed;
      return got.status();
    }
    const std::string& data = got->body;
    uint64_t first_line = range.first_line;
    std::string note;
    if (range.start <= h.header_end) {
      first_line = 1 + h.header_lines;
    } else if (first_line == 0) {
      first_line = 1;
      note = "(counted from byte " + std::to_string(start) + " of " + name + ")";
    }
    const bool utf8_valid = simdjson::validate_utf8(data.data(), data.size());
    RecordParser parser(mapping.dialect, data, first_line);
    Record rec;
    while (parser.Next(&rec)) out->Add(rec, utf8_valid, note);
    if (Status st = out->Flush(); !st.ok()) {
      *error_type = kWriteFailed;
      return st;
    }
  }
  return Status::OK();
}

}  // namespace csv2ddb::lambda
