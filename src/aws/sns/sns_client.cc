#include "aws/sns/sns_client.h"

#include <algorithm>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aws/aws_error.h"
#include "aws/endpoint.h"
#include "aws/service_request.h"
#include "aws/xml.h"

namespace csv2ddb::aws {
namespace {

constexpr size_t kMaxMessageBytes = 300;

bool IsAsciiAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool ValidTopicName(std::string_view name) {
  if (name.ends_with(".fifo")) name.remove_suffix(5);
  if (name.empty() || name.size() > 256) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return IsAsciiAlnum(c) || c == '-' || c == '_'; });
}

bool ValidRegion(std::string_view region) {
  return !region.empty() && std::all_of(region.begin(), region.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

// Splits on ':' keeping empty pieces.
std::vector<std::string_view> SplitColons(std::string_view s) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (;;) {
    size_t colon = s.find(':', start);
    if (colon == std::string_view::npos) {
      parts.push_back(s.substr(start));
      return parts;
    }
    parts.push_back(s.substr(start, colon - start));
    start = colon + 1;
  }
}

// The first line of `text`, trimmed and capped, so a Status stays one line and
// never carries what AWS appends after it (canonical requests with tokens).
std::string FirstLine(std::string_view text) {
  size_t start = text.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos) return "";
  text.remove_prefix(start);
  text = text.substr(0, text.find_first_of("\r\n"));
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  if (text.size() <= kMaxMessageBytes) return std::string(text);
  size_t cut = kMaxMessageBytes;
  // Do not split a UTF-8 sequence.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return std::string(text.substr(0, cut)) + "...";
}

}  // namespace

Result<SnsTopicArn> ParseSnsTopicArn(std::string_view arn) {
  auto bad = [&](std::string_view what) {
    std::string msg = "invalid SNS topic ARN '";
    msg.append(arn);
    msg += "': ";
    msg.append(what);
    msg += " (expected arn:aws:sns:REGION:ACCOUNT:NAME)";
    return Status::InvalidArgument(std::move(msg));
  };
  std::vector<std::string_view> parts = SplitColons(arn);
  if (parts.size() != 6 || parts[0] != "arn") return bad("not an ARN with 6 parts");
  if (parts[1] != "aws" && !parts[1].starts_with("aws-")) return bad("unknown partition");
  if (parts[2] != "sns") return bad("not an SNS ARN");
  if (!ValidRegion(parts[3])) return bad("bad region");
  if (parts[4].size() != 12 ||
      !std::all_of(parts[4].begin(), parts[4].end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return bad("account must be 12 digits");
  }
  if (!ValidTopicName(parts[5])) return bad("bad topic name");
  SnsTopicArn out;
  out.partition = parts[1];
  out.region = parts[3];
  out.account = parts[4];
  out.name = parts[5];
  return out;
}

std::string SnsEndpointForRegion(std::string_view region) {
  std::string url = "https://sns.";
  url.append(region);
  url += region.starts_with("cn-") ? ".amazonaws.com.cn" : ".amazonaws.com";
  return url;
}

std::string ResolveSnsEndpoint(std::string_view region) {
  std::string url = ConfiguredEndpoint("SNS");
  return url.empty() ? SnsEndpointForRegion(region) : url;
}

std::string FormUrlEncode(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(value.size() * 3 / 2);
  for (char c : value) {
    if (IsAsciiAlnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += c;
    } else if (c == ' ') {
      out += '+';
    } else {
      unsigned char b = static_cast<unsigned char>(c);
      out += '%';
      out += kHex[b >> 4];
      out += kHex[b & 0x0F];
    }
  }
  return out;
}

HttpRequest BuildSnsPublishRequest(const std::string& endpoint, const std::string& topic_arn,
                                   const std::string& message) {
  // The query protocol: no X-Amz-Target, the action is in the form.
  return ServicePostRequest(
      ServicePostUrl(endpoint), "application/x-www-form-urlencoded; charset=utf-8", "",
      "Action=Publish&Version=2010-03-31&TopicArn=" + FormUrlEncode(topic_arn) +
          "&Message=" + FormUrlEncode(message));
}

Status SnsPublishResponseToStatus(const HttpResponse& response, std::string_view topic_arn) {
  std::string context = "SNS Publish to ";
  context.append(topic_arn);
  if (response.transport_failed()) {
    return MakeAwsError("", 0, "", FirstLine(response.error)).ToStatus(context);
  }
  if (response.status == 200) {
    if (response.body.find("<PublishResponse") != std::string::npos) return Status::OK();
    return Status::Corruption("unexpected response (HTTP 200 without <PublishResponse>)")
        .WithContext(context);
  }
  // Classified and cleaned as every AWS error is (aws/aws_error.h): only the
  // first line of the message is kept, and nothing secret in it survives. The
  // context already names SNS.
  const AwsError error =
      MakeAwsError("", response.status, FirstLine(XmlFirst(response.body, "Code")),
                   FirstLine(XmlFirst(response.body, "Message")));
  return error.ToStatus(context);
}

Status SnsPublish(HttpClient* http, const RequestSigner& signer, const std::string& endpoint,
                  const std::string& topic_arn, const std::string& message,
                  std::chrono::milliseconds timeout) {
  HttpRequest request = BuildSnsPublishRequest(endpoint, topic_arn, message);
  request.timeout = timeout;
  if (Status signed_ok = SignRequest(signer, &request); !signed_ok.ok()) {
    return signed_ok.WithContext("SNS Publish to " + topic_arn);
  }
  return SnsPublishResponseToStatus(http->Send(std::move(request)), topic_arn);
}

}  // namespace csv2ddb::aws
