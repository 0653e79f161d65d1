// Key gate: keeps the writes of one key in file order across chunks written
// concurrently (write modes other than put, sink/write_mode.h).
//
// Each chunk, in input order, registers the hashes of its keys (Enter); it
// may then write once every earlier chunk that shares a hash with it has
// left (Leave). Chunks that write nothing pass (Pass) so that later chunks
// can register. Waits only ever go to earlier chunks, so the earliest chunk
// always proceeds: no deadlock, as long as every chunk index from `first`
// on is entered or passed exactly once (the pipeline's workers take chunks
// from a FIFO queue, in input order). A hash collision only costs a wait.
//
// Thread-safe; Enter blocks.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <vector>

namespace csv2ddb {

class KeyGate {
 public:
  explicit KeyGate(uint64_t first) : next_(first) {}

  // Registers chunk `index` with its key hashes (sorted) after chunk
  // index - 1, then waits until no earlier registered chunk that has not
  // left shares a hash with it.
  void Enter(uint64_t index, std::vector<uint64_t> sorted_hashes);
  // Chunk `index`, entered before, has finished writing.
  void Leave(uint64_t index);
  // Chunk `index` writes nothing: registers it with no keys.
  void Pass(uint64_t index);

 private:
  void RegisterLocked(std::unique_lock<std::mutex>& lock, uint64_t index,
                      std::vector<uint64_t> hashes);
  bool SharesWithEarlier(uint64_t index, const std::vector<uint64_t>& hashes) const;

  std::mutex mu_;
  std::condition_variable cv_;
  uint64_t next_;                                     // next index to register
  std::map<uint64_t, std::vector<uint64_t>> active_;  // registered, not left
};

}  // namespace csv2ddb
