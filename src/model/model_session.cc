#include "model/model_session.h"

#include "model/retrying_backend.h"

namespace llmstack {

Result<std::unique_ptr<ModelSession>> ModelSession::Open(const SessionOptions& o,
                                                         BackendPlan* prebuilt) {
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

  PriceTable prices = PriceTable::BuiltIn();
  if (o.prices_path) {
    Result<PriceTable> t = PriceTable::Load(*o.prices_path);
    if (!t.ok()) return t.status();
    prices = std::move(*t);
  }
  if (s->plan_.kind == "anthropic" || s->plan_.kind == "openai") {
    s->price_ = prices.Find(s->plan_.spec);
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
  if (s->plan_.cacheable && !o.no_cache) {
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
  double per_query = costliest_usd_ > 0 ? costliest_usd_ : first_estimate_usd_;
  double in_flight = static_cast<double>(backend_->InFlight());
  return spent_usd_ + (in_flight + 1) * per_query <= *options_.max_cost;
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
  std::vector<ModelAnswer> fresh = backend_->Collect(out.empty() ? timeout_s : 0);
  for (ModelAnswer& a : fresh) {
    if (price_ && (a.status.ok() || a.usage.output_tokens > 0)) {
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
