// Items built from one chunk: DynamoDB JSON texts and key values in two
// arenas, so building an item allocates nothing once the arenas have grown.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace csv2ddb {

struct ItemRef {
  uint64_t line = 0;      // source line of the record the item came from
  uint32_t json_off = 0;  // item JSON: {"attr":{"S":"..."},...}
  uint32_t json_len = 0;
  uint32_t key_off = 0;  // partition key value, then sort key value
  uint32_t pk_len = 0;
  uint32_t sk_len = 0;
  uint32_t raw_off = 0;  // the record's raw bytes in its chunk, for rejects found later
  uint32_t raw_len = 0;
};

class ItemBuffer {
 public:
  std::string_view Json(const ItemRef& r) const { return {json_.data() + r.json_off, r.json_len}; }
  std::string_view PartitionKey(const ItemRef& r) const {
    return {keys_.data() + r.key_off, r.pk_len};
  }
  std::string_view SortKey(const ItemRef& r) const {
    return {keys_.data() + r.key_off + r.pk_len, r.sk_len};
  }
  const std::vector<ItemRef>& items() const { return items_; }
  size_t size() const { return items_.size(); }

  void Clear() {
    json_.clear();
    keys_.clear();
    items_.clear();
  }

  // Building interface, used by ItemBuilder.
  std::string& json_arena() { return json_; }
  std::string& key_arena() { return keys_; }
  std::vector<ItemRef>& mutable_items() { return items_; }

 private:
  std::string json_;
  std::string keys_;
  std::vector<ItemRef> items_;
};

}  // namespace csv2ddb
