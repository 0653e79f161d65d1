#include "execution/execution.h"

#include <chrono>
#include <exception>
#include <optional>

#include "execution/exit_codes.h"
#include "execution/prepare.h"
#include "execution/run.h"

namespace csv2ddb {

namespace {

int Report(const Failure& f, const ExecutionOutput& out) {
  if (out.message) out.message(f.message);
  return f.exit_code;
}

int Execute(const RunOptions& options, const std::optional<ExecutionRecord>& prior,
            const std::string& mapping_digest, AwsIo* io, const ExecutionOutput& out) {
  const auto started = std::chrono::steady_clock::now();
  Prepared p;
  try {
    if (std::optional<Failure> f = Prepare(options, prior, mapping_digest, io, &p)) {
      // Prepare creates the execution last: a failure leaves it absent (or,
      // for a resume, as it was).
      return Report(*f, out);
    }
    RunOutcome outcome = Run(&p);
    return Finish(&p, std::move(outcome), started, out);
  } catch (const std::exception& e) {
    if (!p.created)
      return Report(Failure{kExitInternal, std::string("internal error: ") + e.what()}, out);
    return FinishFailed(&p, std::string("internal error: ") + e.what(), out);
  } catch (...) {
    if (!p.created) return Report(Failure{kExitInternal, "internal error"}, out);
    return FinishFailed(&p, "internal error", out);
  }
}

}  // namespace

int StartExecution(const RunOptions& options, const ExecutionOutput& out) {
  AwsIo io(IoOptions(options));
  // The mapping's digest is taken from the one read of it (Prepare).
  return Execute(options, std::nullopt, "", &io, out);
}

int ResumeExecution(const std::string& name, const std::string& state_dir, bool quiet, bool verbose,
                    const ExecutionOutput& out) {
  ResumeRequest request;
  if (std::optional<Failure> f = LookupResume(name, state_dir, &request)) return Report(*f, out);
  request.options.quiet = quiet;
  request.options.verbose = verbose;
  AwsIo io(IoOptions(request.options));
  if (std::optional<Failure> f = CheckUnchanged(request, &io)) return Report(*f, out);
  return Execute(request.options, request.record, request.mapping_digest, &io, out);
}

}  // namespace csv2ddb
