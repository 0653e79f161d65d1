#include "lambda/json_stream.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace csv2ddb::lambda {
namespace {

// Feeds `text` `piece` bytes at a time; returns the values or the error.
Result<std::vector<std::string>> Split(const std::string& text, size_t piece,
                                       size_t max_value = 1 << 20) {
  JsonValueSplitter s(max_value);
  std::vector<std::string> out;
  const auto on_value = [&out](std::string_view v) {
    out.emplace_back(v);
    return Status::OK();
  };
  for (size_t at = 0; at < text.size(); at += piece) {
    CSV2DDB_RETURN_IF_ERROR(s.Feed(std::string_view(text).substr(at, piece), on_value));
  }
  CSV2DDB_RETURN_IF_ERROR(s.Finish());
  return out;
}

TEST(JsonValueSplitterTest, JsonLinesAndArraysInAnyPieces) {
  const std::string lines = "{\"a\":1}\n{\"b\":\"}{\\\"]\"}\n\n{\"c\":[1,{\"d\":2}]}\n";
  const std::string array = " [ {\"a\":1} , {\"b\":\"}{\\\"]\"},{\"c\":[1,{\"d\":2}]}]\n";
  const std::vector<std::string> want = {"{\"a\":1}", "{\"b\":\"}{\\\"]\"}",
                                         "{\"c\":[1,{\"d\":2}]}"};
  for (size_t piece : {1u, 2u, 3u, 7u, 1000u}) {
    Result<std::vector<std::string>> got = Split(lines, piece);
    ASSERT_TRUE(got.ok()) << got.status().message();
    EXPECT_EQ(*got, want) << piece;
    got = Split(array, piece);
    ASSERT_TRUE(got.ok()) << got.status().message();
    EXPECT_EQ(*got, want) << piece;
  }
  Result<std::vector<std::string>> empty = Split("[]", 1);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

TEST(JsonValueSplitterTest, RejectsWhatIsNotAStreamOfObjects) {
  EXPECT_FALSE(Split("{\"a\":1} 7", 3).ok());                // a scalar
  EXPECT_FALSE(Split("{\"a\":1", 3).ok());                   // cut inside a value
  EXPECT_FALSE(Split("[{\"a\":1}", 3).ok());                 // array never closed
  EXPECT_FALSE(Split("[{\"a\":1}] {}", 3).ok());             // text after the array
  EXPECT_FALSE(Split("{\"a\":\"0123456789\"}", 4, 8).ok());  // over the value limit
}

}  // namespace
}  // namespace csv2ddb::lambda
