#include "aws/s3/s3_error.h"

#include <algorithm>
#include <charconv>

namespace csv2ddb::aws {
namespace {

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xc0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xe0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else {
    out->push_back(static_cast<char>(0xf0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  }
}

std::string CodeForStatus(int status) {
  switch (status) {
    case 301:
      return "PermanentRedirect";
    case 400:
      return "BadRequest";
    case 403:
      return "AccessDenied";
    case 404:
      return "NotFound";
    case 412:
      return "PreconditionFailed";
    case 503:
      return "SlowDown";
    default:
      return std::string("HTTP ") + std::to_string(status);
  }
}

// "bucket.s3.eu-west-1.amazonaws.com" -> "eu-west-1"; "" when not in that form.
std::string RegionFromEndpoint(std::string_view endpoint) {
  size_t s3 = endpoint.find(".s3.");
  size_t start = s3 == std::string_view::npos ? std::string_view::npos : s3 + 4;
  if (start == std::string_view::npos && endpoint.starts_with("s3.")) start = 3;
  if (start == std::string_view::npos) return "";
  size_t end = endpoint.find(".amazonaws.com", start);
  if (end == std::string_view::npos || end <= start) return "";
  return std::string(endpoint.substr(start, end - start));
}

}  // namespace

std::string XmlDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '&') {
      out.push_back(s[i]);
      continue;
    }
    size_t semi = s.find(';', i);
    if (semi == std::string_view::npos || semi - i > 10) {
      out.push_back('&');
      continue;
    }
    std::string_view ent = s.substr(i + 1, semi - i - 1);
    if (ent == "amp") {
      out.push_back('&');
    } else if (ent == "lt") {
      out.push_back('<');
    } else if (ent == "gt") {
      out.push_back('>');
    } else if (ent == "quot") {
      out.push_back('"');
    } else if (ent == "apos") {
      out.push_back('\'');
    } else if (ent.size() > 1 && ent[0] == '#') {
      const bool hex = ent[1] == 'x' || ent[1] == 'X';
      std::string_view digits = ent.substr(hex ? 2 : 1);
      uint32_t cp = 0;
      auto [end, ec] =
          std::from_chars(digits.data(), digits.data() + digits.size(), cp, hex ? 16 : 10);
      if (ec != std::errc() || end != digits.data() + digits.size() || cp > 0x10ffff) {
        out.push_back('&');
        continue;
      }
      AppendUtf8(cp, &out);
    } else {
      out.push_back('&');
      continue;
    }
    i = semi;
  }
  return out;
}

std::string XmlEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

bool XmlNextElement(std::string_view xml, std::string_view tag, size_t* pos, std::string* text) {
  const std::string open = std::string("<").append(tag).append(">");
  const std::string empty = std::string("<").append(tag).append("/>");
  const std::string close = std::string("</").append(tag).append(">");
  size_t start = xml.find(open, *pos);
  size_t empty_at = xml.find(empty, *pos);
  if (empty_at != std::string_view::npos && (start == std::string_view::npos || empty_at < start)) {
    text->clear();
    *pos = empty_at + empty.size();
    return true;
  }
  if (start == std::string_view::npos) return false;
  start += open.size();
  size_t end = xml.find(close, start);
  if (end == std::string_view::npos) return false;
  *text = XmlDecode(xml.substr(start, end - start));
  *pos = end + close.size();
  return true;
}

std::string XmlFirst(std::string_view xml, std::string_view tag) {
  size_t pos = 0;
  std::string text;
  return XmlNextElement(xml, tag, &pos, &text) ? text : std::string();
}

std::vector<std::string_view> XmlAll(std::string_view xml, std::string_view tag) {
  const std::string open = std::string("<").append(tag).append(">");
  const std::string close = std::string("</").append(tag).append(">");
  std::vector<std::string_view> out;
  size_t pos = 0;
  for (;;) {
    size_t start = xml.find(open, pos);
    if (start == std::string_view::npos) break;
    start += open.size();
    size_t end = xml.find(close, start);
    if (end == std::string_view::npos) break;
    out.push_back(xml.substr(start, end - start));
    pos = end + close.size();
  }
  return out;
}

bool IsRetryableS3Error(int http_status, std::string_view code) {
  static constexpr std::string_view kRetryable[] = {"SlowDown",           "InternalError",
                                                    "ServiceUnavailable", "RequestTimeout",
                                                    "Throttling",         "ThrottlingException"};
  if (http_status == 0 && code.empty()) return true;
  if (std::find(std::begin(kRetryable), std::end(kRetryable), code) != std::end(kRetryable)) {
    return true;
  }
  return http_status == 500 || http_status == 502 || http_status == 503 || http_status == 504 ||
         http_status == 429;
}

S3Error ParseS3Error(const HttpResponse& response) {
  S3Error error;
  error.http_status = response.status;
  if (response.transport_failed()) {
    error.message = response.error;
    error.retryable = true;
    return error;
  }
  std::string_view body = response.body;
  if (body.find("<Error>") != std::string_view::npos) {
    error.code = XmlFirst(body, "Code");
    error.message = XmlFirst(body, "Message");
    error.bucket_region = XmlFirst(body, "Region");
    if (error.bucket_region.empty()) {
      error.bucket_region = RegionFromEndpoint(XmlFirst(body, "Endpoint"));
    }
  } else if (!body.empty()) {
    error.message = std::string(body.substr(0, 200));  // e.g. a proxy's HTML page
  }
  if (error.code.empty()) error.code = CodeForStatus(response.status);
  if (const std::string* region = response.FindHeader("x-amz-bucket-region")) {
    error.bucket_region = *region;
  }
  error.retryable = IsRetryableS3Error(error.http_status, error.code);
  return error;
}

Status S3Error::ToStatus(std::string_view uri, std::string_view client_region) const {
  const std::string u(uri);
  if (http_status == 0 && code.empty())
    return Status::Unavailable(u + ": transport error: " + message);
  std::string detail = code + " (HTTP " + std::to_string(http_status) + ")";
  if (!message.empty()) detail.append(": ").append(message);
  // Our ranged GETs stay within the size seen at the start: a range that is no
  // longer satisfiable means the object was replaced by a shorter one.
  if (code == "PreconditionFailed" || http_status == 412 || code == "InvalidRange" ||
      http_status == 416) {
    return Status::Aborted(std::string("object ") + u + " changed during the run (ETag was " +
                           etag + ")");
  }
  const bool wrong_region =
      code == "PermanentRedirect" || code == "AuthorizationHeaderMalformed" ||
      code == "IllegalLocationConstraintException" || http_status == 301 ||
      (http_status == 400 && !bucket_region.empty() && bucket_region != client_region);
  if (wrong_region) {
    if (!bucket_region.empty() && bucket_region != client_region) {
      return Status::InvalidArgument(u + ": bucket is in region " + bucket_region + ", not " +
                                     std::string(client_region) + " (" + code + ")");
    }
    return Status::InvalidArgument(u + ": bucket is not in region " + std::string(client_region) +
                                   " (" + detail + ")");
  }
  if (code == "NoSuchBucket") {
    std::string bucket =
        u.substr(5, u.find('/', 5) == std::string::npos ? std::string::npos : u.find('/', 5) - 5);
    return Status::NotFound(u + ": bucket '" + bucket + "' does not exist (NoSuchBucket)");
  }
  if (code == "NoSuchKey" || code == "NotFound") {
    return Status::NotFound(u + ": no such object (" + code + ")");
  }
  if (code.starts_with("AccessDenied") || code == "InvalidAccessKeyId" ||
      code == "SignatureDoesNotMatch") {
    return Status::IOError(u + ": access denied (" + detail + ")");
  }
  if (retryable) return Status::Unavailable(u + ": " + detail);
  return Status::IOError(u + ": " + detail);
}

}  // namespace csv2ddb::aws
