#include "model/model_session.h"

#include <cctype>
#include <cmath>
#include <cstdio>

#include "model/retrying_backend.h"
#include "model/sanitizing_backend.h"

namespace llmstack {

namespace {

std::string Dollars(double usd) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "$%.4f", usd);
  return buf;
}

// "--timeout must be ...": a number of seconds in (min, max] (or [min, max] when
// `zero_allowed`), finite.
Status CheckSeconds(const char* option, double value, bool zero_allowed, double max) {
  bool ok = std::isfinite(value) && (zero_allowed ? value >= 0 : value > 0) && value <= max;
  if (ok) return Status::Ok();
  char buf[160];
  std::snprintf(buf, sizeof buf, "%s must be a number of seconds %s 0 and at most %.0f (got %g)",
                option, zero_allowed ? "from" : "above", max, value);
  return InvalidArgument(buf);
}

Status CheckCount(const char* option, long long value, long long min, long long max) {
  if (value >= min && value <= max) return Status::Ok();
  return InvalidArgument(std::string(option) + " must be from " + std::to_string(min) + " to " +
                         std::to_string(max) + " (got " + std::to_string(value) + ")");
}

}  // namespace

Status ValidateSessionOptions(const SessionOptions& o) {
  const BackendOptions& b = o.backend;
  Status checks[] = {
      CheckSeconds("--timeout", b.timeout_s, false, kMaxTimeoutS),
      CheckSeconds("--max-wait", b.max_wait_s, true, kMaxTimeoutS),
      CheckCount("--concurrency", b.concurrency, 1, kMaxConcurrency),
      CheckCount("--retries", b.retries, 0, kMaxRetries),
      CheckCount("--max-tokens", b.max_tokens, 1, kMaxTokensPerAnswer),
      b.thinking ? CheckCount("--thinking", *b.thinking, 1, kMaxTokensPerAnswer) : Status::Ok(),
  };
  for (const Status& s : checks) {
    if (!s.ok()) return s;
  }
  if (b.total_retries < 0) return InvalidArgument("the run's retry budget must not be negative");
  if (b.temperature &&
      !(std::isfinite(*b.temperature) && *b.temperature >= 0 && *b.temperature <= 2)) {
    return InvalidArgument("--temperature must be a number from 0 to 2");
  }
  if (o.max_cost && !(std::isfinite(*o.max_cost) && *o.max_cost >= 0)) {
    return InvalidArgument("--max-cost must be a number of USD, 0 or more");
  }
  return Status::Ok();
}

bool IsLoopbackUrl(const std::string& url) {
  size_t start = url.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  std::string host;
  if (start < url.size() && url[start] == '[') {
    size_t close = url.find(']', start);
    if (close == std::string::npos) return false;
    host = url.substr(start + 1, close - start - 1);
  } else {
    size_t end = url.find_first_of(":/?#", start);
    host = url.substr(start, end == std::string::npos ? std::string::npos : end - start);
  }
  for (char& c : host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  // RFC 1122 3.2.1.3: 127.0.0.0/8 is this host; RFC 4291 2.5.3: ::1.
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

Result<std::unique_ptr<ModelSession>> ModelSession::Open(const SessionOptions& o,
                                                         BackendPlan* prebuilt) {
  Status valid = ValidateSessionOptions(o);
  if (!valid.ok()) return valid;
  std::unique_ptr<ModelSession> s(new ModelSession());
  s->options_ = o;
  if (o.prompt_path) {
    Result<PromptTemplate> p = PromptTemplate::Load(*o.prompt_path);
    if (!p.ok()) return p.status();
    s->prompt_ = std::move(*p);
  }
  if (prebuilt) {
    s->plan_ = std::move(*prebuilt);
  } else {
    Result<BackendPlan> plan = MakeBackend(o.backend, &s->prompt_);
    if (!plan.ok()) return plan.status();
    s->plan_ = std::move(*plan);
  }
  // Secrets: the keys in the environment, and credentials of a base URL should one get here.
  s->secrets_ = SecretRedactor::FromEnvironment();
  for (const std::string& c : UrlCredentials(s->plan_.base_url)) s->secrets_.Add(c);
  if (o.backend.base_url) {
    for (const std::string& c : UrlCredentials(*o.backend.base_url)) s->secrets_.Add(c);
  }
  // A command line may hold a key (exec:curl -H 'x-api-key: ...'): names are redacted too.
  s->plan_.spec = s->secrets_.Redact(s->plan_.spec);
  s->plan_.model = s->secrets_.Redact(s->plan_.model);
  s->plan_.base_url = s->secrets_.Redact(s->plan_.base_url);
  s->plan_.backend = std::make_unique<SanitizingBackend>(std::move(s->plan_.backend), s->secrets_);

  PriceTable prices = PriceTable::BuiltIn();
  if (o.prices_path) {
    Result<PriceTable> t = PriceTable::Load(*o.prices_path);
    if (!t.ok()) return t.status();
    prices = std::move(*t);
  }
  if (s->plan_.kind == "anthropic" || s->plan_.kind == "openai") {
    s->price_ = prices.Find(s->plan_.spec);
    // A server on this host (Ollama, llama-server, vLLM) costs nothing, with no price needed;
    // a priced model name there (a proxy to the vendor) keeps its price.
    if (!s->price_ && IsLoopbackUrl(s->plan_.base_url)) s->price_ = ModelPrice{};
    if (!s->price_ && o.max_cost) {
      return InvalidArgument("--max-cost: no price for " + s->plan_.spec +
                             " in the price table; add it to prices.json (or --prices FILE)");
    }
  }
  if (o.max_cost && s->plan_.cost_unknown) {
    s->warnings_.push_back("--max-cost: the cost of " + s->plan_.spec +
                           " is unknown (a command reports no tokens); it is not enforced");
  }
  if (s->price_) {
    // Before the first answer: prompt length / 3 input tokens plus 1024 output tokens.
    Usage guess;
    guess.input_tokens = static_cast<int64_t>(s->prompt_.text().size() / 3 + 200);
    guess.output_tokens = 1024;
    PriceUsage(*s->price_, &guess);
    s->first_estimate_usd_ = guess.cost_usd;
  }

  s->backend_ = s->plan_.backend.get();
  if (s->plan_.cacheable && !o.no_cache && (o.cache_dir || !s->plan_.cache_only_when_asked)) {
    std::string dir = o.cache_dir ? *o.cache_dir : ResponseCache::DefaultDirectory();
    s->caching_ = std::make_unique<CachingBackend>(std::move(s->plan_.backend), ResponseCache(dir));
    s->backend_ = s->caching_.get();
  }
  if (o.resume && !o.journal) return InvalidArgument("--resume needs the run's --journal FILE");
  if (o.journal && !s->is_reference()) {
    JournalIdentity identity;
    identity.cells.push_back(s->IdentityCell());
    identity.profile = ProfileName(o.backend.reference_profile);
    identity.temperature = o.backend.temperature;
    identity.max_tokens = o.backend.max_tokens;
    identity.thinking = o.backend.thinking;
    Result<std::shared_ptr<RunJournal>> j =
        RunJournal::Open(*o.journal, o.resume, identity, &s->warnings_);
    if (!j.ok()) return j.status();
    s->journal_ = std::move(*j);
  }
  return s;
}

double ModelSession::PerQueryEstimate() const {
  return costliest_usd_ > 0 ? costliest_usd_ : first_estimate_usd_;
}

JournalIdentity::Cell ModelSession::IdentityCell() const {
  JournalIdentity::Cell cell;
  cell.model = plan_.spec;
  if (plan_.uses_prompt) cell.prompt_sha256 = prompt_.sha256();
  return cell;
}

void ModelSession::AttachJournal(std::shared_ptr<RunJournal> journal,
                                 std::optional<std::string> cell) {
  journal_ = std::move(journal);
  cell_ = std::move(cell);
}

bool ModelSession::CanAfford() const {
  if (!options_.max_cost || !price_) return true;
  double in_flight = static_cast<double>(backend_->InFlight());
  return earlier_usd_ + spent_usd_ + (in_flight + 1) * PerQueryEstimate() <= *options_.max_cost;
}

std::string ModelSession::BudgetRefusal() const {
  if (!options_.max_cost) return "";
  size_t in_flight = backend_->InFlight();
  double per_query = PerQueryEstimate();
  std::string estimate = costliest_usd_ > 0
                             ? "the costliest answer so far"
                             : "before any answer: prompt length / 3 input tokens and 1024 output";
  std::string earlier =
      earlier_usd_ > 0 ? " (and " + Dollars(earlier_usd_) + " by the cells before)" : "";
  return "--max-cost " + Dollars(*options_.max_cost) + " would be passed: spent " +
         Dollars(spent_usd_) + earlier + ", " + std::to_string(in_flight) +
         " in flight, each request " + "estimated at " + Dollars(per_query) + " (" + estimate + ")";
}

void ModelSession::Ask(uint64_t id, uint64_t index, int sample, const EchoPacket* request,
                       const RequestAssessment& assessment) {
  ModelQuery q;
  q.id = id;
  q.index = index;
  q.sample = sample;
  q.request = request;
  q.request_hex = HexEncode(request->datagram);
  q.assessment = assessment;
  if (plan_.cacheable) {
    CacheKeyInput k;
    k.backend = plan_.kind;
    k.base_url = plan_.base_url;
    k.model = plan_.model;
    k.prompt = prompt_.Render(*request).Full();
    k.temperature = options_.backend.temperature;
    k.max_tokens = options_.backend.max_tokens;
    k.thinking = options_.backend.thinking;
    k.request_hex = q.request_hex;
    k.sample = sample;
    q.cache_key = CacheKey(k);
  }
  asked_[id] = {index, sample, q.request_hex, q.cache_key};
  const ModelAnswer* resumed =
      journal_ && !q.cache_key.empty() ? journal_->Find(q.cache_key) : nullptr;
  if (resumed) {
    ModelAnswer a = *resumed;
    a.id = id;
    a.from_cache = true;
    a.from_journal = true;
    a.journaled_from_cache = resumed->from_cache;
    a.attempts.clear();
    resumed_.push_back(std::move(a));
    return;
  }
  backend_->Submit(std::move(q));
}

std::vector<ModelAnswer> ModelSession::Collect(double timeout_s) {
  std::vector<ModelAnswer> out = std::move(resumed_);
  resumed_.clear();
  // Answers from the journal (--resume) and the cache were stored sanitized, but by whatever
  // version wrote them: they are text from outside too.
  for (ModelAnswer& a : out) SanitizeAnswer(secrets_, &a);
  std::vector<ModelAnswer> fresh = backend_->Collect(out.empty() ? timeout_s : 0);
  for (ModelAnswer& a : fresh) {
    if (a.from_cache) SanitizeAnswer(secrets_, &a);
    if (price_ && !a.from_cache && a.status.ok() && !a.usage.reported) {
      // No usage from the server: its cost is unknown, and the budget counts it at the
      // estimate, so that a server that says nothing cannot spend past --max-cost.
      spent_usd_ += PerQueryEstimate();
    } else if (price_ && (a.status.ok() || a.usage.output_tokens > 0)) {
      PriceUsage(*price_, &a.usage);
      if (a.from_cache) {
        a.usage.cost_usd = 0;  // a cache hit costs nothing now
      } else {
        spent_usd_ += a.usage.cost_usd;
        costliest_usd_ = std::max(costliest_usd_, a.usage.cost_usd);
      }
    }
    auto it = asked_.find(a.id);
    if (journal_ && it != asked_.end()) {
      JournalEntry e;
      e.cell = cell_;
      e.index = it->second.index;
      e.sample = it->second.sample;
      e.request_hex = it->second.request_hex;
      e.backend = plan_.spec;
      if (!plan_.base_url.empty() && plan_.kind != "exec") e.base_url = plan_.base_url;
      if (plan_.uses_prompt) e.prompt_sha256 = prompt_.sha256();
      e.cache_key = it->second.cache_key;
      e.answer = a;
      Status s = journal_->Append(e);
      if (!s.ok() && warnings_.size() < 20) warnings_.push_back(s.message());
    }
    out.push_back(std::move(a));
  }
  for (const ModelAnswer& a : out) asked_.erase(a.id);
  return out;
}

void ModelSession::Cancel() {
  backend_->CancelAll();
  resumed_.clear();
}

void ModelSession::Sync() {
  if (journal_) journal_->Sync();
}

const std::string& ModelSession::cache_problem() const {
  static const std::string none;
  return caching_ ? static_cast<CachingBackend*>(caching_.get())->write_problem() : none;
}

}  // namespace llmstack
