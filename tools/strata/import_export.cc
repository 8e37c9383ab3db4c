// `strata import` and `strata export` (see import_export.h).
#include "import_export.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "strata/anomaly.h"
#include "strata/connection.h"
#include "strata/database.h"
#include "strata/datom.h"
#include "strata/edn.h"
#include "strata/entity.h"
#include "strata/value.h"

namespace strata::cli {
namespace {

using Clock = std::chrono::steady_clock;

Value Kw(std::string_view name) { return Value::Keyword(name); }

[[noreturn]] void ThrowFileError(const std::string& path, const std::string& what) {
  throw Anomaly(Category::kNotFound, "cannot read " + path + ": " + what + "; check the path",
                Value::Keyword("db.error", "file-not-found"),
                Value::Map({{Kw("path"), Value::String(path)}}));
}

// A file's bytes through a read-only memory map ('-' reads stdin whole).
class MappedFile {
 public:
  explicit MappedFile(const std::string& path) {
    if (path == "-") {
      stdin_text_.assign(std::istreambuf_iterator<char>(std::cin), {});
      text_ = stdin_text_;
      return;
    }
    int fd = ::open(path.c_str(), O_RDONLY);
    if (fd < 0) ThrowFileError(path, "no such file or no permission");
    struct stat st;
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
      ::close(fd);
      ThrowFileError(path, "not a regular file");
    }
    size_ = static_cast<size_t>(st.st_size);
    if (size_ > 0) {
      data_ = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
      if (data_ == MAP_FAILED) {
        ::close(fd);
        ThrowFileError(path, "mmap failed");
      }
      ::madvise(data_, size_, MADV_SEQUENTIAL);
      text_ = std::string_view(static_cast<const char*>(data_), size_);
    }
    ::close(fd);
  }
  ~MappedFile() {
    if (data_ != nullptr) ::munmap(data_, size_);
  }
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  std::string_view text() const { return text_; }

 private:
  void* data_ = nullptr;
  size_t size_ = 0;
  std::string stdin_text_;
  std::string_view text_;
};

// Splits a file into tx forms, streaming the forms of a top-level tx-data
// vector one at a time (EdnReader reads whole top-level values only, so the
// scanner steps over the vector's brackets itself and reads each element
// with a reader of its own).
class FormScanner {
 public:
  enum class Step { kForm, kGroupEnd, kEnd };
  struct Form {
    Value value;
    int64_t index = 0;  // 1-based, in the file
    int64_t line = 0;
    int64_t column = 0;
  };

  FormScanner(std::string_view text, std::string file) : text_(text), file_(std::move(file)) {}

  Step Next(Form* out) {
    for (;;) {
      SkipBlank();
      if (in_vector_) {
        if (pos_ >= text_.size()) {
          Fail(vector_line_, vector_column_,
               "the tx-data vector opened here is not closed; end it with ]");
        }
        if (text_[pos_] == ']') {
          Advance(1);
          in_vector_ = false;
          return Step::kGroupEnd;
        }
      } else {
        if (pos_ >= text_.size()) return Step::kEnd;
        if (text_[pos_] == '[' && OpensTxData(pos_ + 1)) {
          vector_line_ = line_;
          vector_column_ = column_;
          Advance(1);
          in_vector_ = true;
          continue;
        }
      }
      out->line = line_;
      out->column = column_;
      out->index = ++index_;
      out->value = ReadValue();
      return Step::kForm;
    }
  }

  size_t offset() const { return pos_; }

 private:
  // Whether the vector whose '[' is just before `at` holds forms (its first
  // element is a collection) rather than being a form itself.
  bool OpensTxData(size_t at) const {
    for (;;) {
      while (at < text_.size() &&
             (std::isspace(static_cast<unsigned char>(text_[at])) || text_[at] == ',')) {
        ++at;
      }
      if (at < text_.size() && text_[at] == ';') {
        while (at < text_.size() && text_[at] != '\n') ++at;
        continue;
      }
      break;
    }
    if (at >= text_.size()) return true;  // reported as unclosed
    char c = text_[at];
    return c == '[' || c == '{' || c == '(' || c == ']';
  }

  void SkipBlank() {
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (std::isspace(static_cast<unsigned char>(c)) || c == ',') {
        Advance(1);
      } else if (c == ';') {
        size_t end = text_.find('\n', pos_);
        Advance((end == std::string_view::npos ? text_.size() : end) - pos_);
      } else if (text_.substr(pos_, 2) == "#_") {
        Advance(2);
        SkipBlank();
        if (pos_ < text_.size()) ReadValue();
      } else {
        return;
      }
    }
  }

  void Advance(size_t n) {
    size_t end = std::min(text_.size(), pos_ + n);
    for (; pos_ < end; ++pos_) {
      unsigned char c = static_cast<unsigned char>(text_[pos_]);
      if (c == '\n') {
        ++line_;
        column_ = 1;
      } else if ((c & 0xC0) != 0x80) {
        ++column_;
      }
    }
  }

  Value ReadValue() {
    EdnReader reader(text_.substr(pos_));
    Value v;
    try {
      if (!reader.Next(&v)) Fail(line_, column_, "expected a tx form");
    } catch (const Anomaly& e) {
      const Value* line = e.data().is_map() ? e.data().Get(Kw("line")) : nullptr;
      const Value* column = e.data().is_map() ? e.data().Get(Kw("column")) : nullptr;
      if (line == nullptr || column == nullptr || !line->is_long() || !column->is_long()) throw;
      int64_t l = line_ + line->AsLong() - 1;
      int64_t c = line->AsLong() == 1 ? column_ + column->AsLong() - 1 : column->AsLong();
      std::string what = e.message();
      size_t colon = what.find(": ");
      if (what.starts_with("EDN syntax error at line") && colon != std::string::npos) {
        what = what.substr(colon + 2);
      }
      const Value* near = e.data().Get(Kw("near"));
      Fail(l, c, what, near != nullptr ? *near : Value::String(""));
    }
    Advance(reader.offset());
    return v;
  }

  [[noreturn]] void Fail(int64_t line, int64_t column, const std::string& what,
                         Value near = Value::String("")) const {
    throw Anomaly(
        Category::kIncorrect,
        fmt::format("EDN syntax error in {} at line {}, column {}: {}", file_, line, column, what),
        Value::Keyword("db.error", "invalid-edn"),
        Value::Map({{Kw("line"), Value::Long(line)},
                    {Kw("column"), Value::Long(column)},
                    {Kw("near"), near},
                    {Kw("import/file"), Value::String(file_)},
                    {Kw("import/form"), Value::Long(index_)}}));
  }

  std::string_view text_;
  std::string file_;
  size_t pos_ = 0;
  int64_t line_ = 1;
  int64_t column_ = 1;
  int64_t index_ = 0;
  bool in_vector_ = false;
  int64_t vector_line_ = 0;
  int64_t vector_column_ = 0;
};

// About how many datoms a form asserts: each value of a map (nested maps
// and cardinality-many collections counted through), one per list form.
int64_t EstimateDatoms(const Value& form) {
  if (!form.is_map()) return 1;
  int64_t n = 0;
  static const Value kDbId = Kw("db/id");
  for (size_t i = 0; i < form.Count(); ++i) {
    if (form.MapKey(i) == kDbId) continue;
    const Value& v = form.MapVal(i);
    if (v.is_map()) {
      n += 1 + EstimateDatoms(v);
    } else if (v.is_set() || v.is_list() ||
               (v.is_vector() && v.Count() > 0 && v.Items()[0].is_map())) {
      for (const Value& item : v.Items()) n += item.is_map() ? 1 + EstimateDatoms(item) : 1;
    } else {
      ++n;
    }
  }
  return std::max<int64_t>(n, 1);
}

// A progress bar on stderr: fraction of the input bytes read, datoms per
// second, and the time left at that rate.
class Progress {
 public:
  Progress(bool enabled, size_t total_bytes)
      : enabled_(enabled), total_bytes_(total_bytes), start_(Clock::now()) {}

  void Update(size_t done_bytes, int64_t datoms, bool force = false) {
    if (!enabled_) return;
    auto now = Clock::now();
    if (!force && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    double seconds = std::chrono::duration<double>(now - start_).count();
    double fraction = total_bytes_ == 0
                          ? 1.0
                          : static_cast<double>(done_bytes) / static_cast<double>(total_bytes_);
    fraction = std::clamp(fraction, 0.0, 1.0);
    constexpr int kWidth = 30;
    int filled = static_cast<int>(fraction * kWidth);
    std::string bar(static_cast<size_t>(filled), '#');
    bar.append(static_cast<size_t>(kWidth - filled), '.');
    double rate = seconds > 0 ? static_cast<double>(datoms) / seconds : 0;
    std::string left = "--:--";
    if (fraction > 0.001) {
      auto secs = static_cast<int64_t>(seconds * (1 - fraction) / fraction);
      left = fmt::format("{}:{:02}", secs / 60, secs % 60);
    }
    std::fprintf(stderr, "\r[%s] %3d%%  %lld datoms  %.0f datoms/s  %s left ", bar.c_str(),
                 static_cast<int>(fraction * 100), static_cast<long long>(datoms), rate,
                 left.c_str());
    std::fflush(stderr);
    drawn_ = true;
  }

  void Finish() {
    if (drawn_) std::fputs("\n", stderr);
    drawn_ = false;
  }

 private:
  bool enabled_;
  size_t total_bytes_;
  Clock::time_point start_;
  Clock::time_point last_{};
  bool drawn_ = false;
};

class Importer {
 public:
  Importer(Connection conn, ImportOptions options)
      : conn_(std::move(conn)), options_(std::move(options)) {}

  void ImportFile(const std::string& path, const std::string_view text, size_t bytes_before,
                  Progress* progress) {
    file_ = path;
    FormScanner scanner(text, path);
    FormScanner::Form form;
    for (;;) {
      FormScanner::Step step;
      try {
        step = scanner.Next(&form);
      } catch (const Anomaly& e) {
        std::string message = fmt::format(
            "{} (import: the {} forms read since the last commit wrote nothing; the {} "
            "transactions before them stay committed, {} datoms through basis-t {})",
            e.message(), batch_.size(), transactions_, datoms_, conn_.Db().basis_t());
        throw Anomaly(e.category(), std::move(message), e.error(),
                      WithCommitted(e.data(), conn_.Db().basis_t()));
      }
      if (step == FormScanner::Step::kForm) {
        batch_datoms_ += EstimateDatoms(form.value);
        batch_.push_back(form);
        ++forms_;
        if (batch_datoms_ >= options_.batch_datoms) Flush();
      } else {
        Flush();
        if (step == FormScanner::Step::kEnd) break;
      }
      progress->Update(bytes_before + scanner.offset(), datoms_);
    }
    progress->Update(bytes_before + scanner.offset(), datoms_, true);
  }

  Value Summary(int64_t files, double seconds) const {
    return Value::Map(
        {{Kw("files"), Value::Long(files)},
         {Kw("forms"), Value::Long(forms_)},
         {Kw("transactions"), Value::Long(transactions_)},
         {Kw("datoms"), Value::Long(datoms_)},
         {Kw("basis-t"), Value::Long(conn_.Db().basis_t())},
         {Kw("seconds"),
          Value::Double(static_cast<double>(static_cast<int64_t>(seconds * 1000)) / 1000)}});
  }

  void WriteTempids(const std::string& path) const {
    std::vector<std::pair<std::string, EntityId>> sorted(tempids_.begin(), tempids_.end());
    std::sort(sorted.begin(), sorted.end());
    std::ofstream out(path, std::ios::binary);
    if (!out) ThrowFileError(path, "cannot write it");
    out << "{";
    bool first = true;
    for (const auto& [name, eid] : sorted) {
      out << (first ? "" : ",\n ") << PrintEdn(Value::String(name)) << " " << eid;
      first = false;
    }
    out << "}\n";
  }

 private:
  void Flush() {
    if (batch_.empty()) return;
    Database db = conn_.Db();
    std::vector<Value> forms;
    forms.reserve(batch_.size());
    for (const FormScanner::Form& f : batch_) forms.push_back(Rewrite(db, f.value));
    try {
      TxReport report = conn_.Transact(Value::Vector(forms));
      for (const auto& [name, eid] : report.tempids) tempids_[name] = eid;
      datoms_ += static_cast<int64_t>(report.tx_data.size());
      ++transactions_;
    } catch (const Anomaly& e) {
      Fail(db, forms, e);
    }
    batch_.clear();
    batch_datoms_ = 0;
  }

  // Finds the first form of the failed batch whose prefix fails alone and
  // throws the anomaly again, with where and what stays.
  [[noreturn]] void Fail(const Database& db, const std::vector<Value>& forms, const Anomaly& e) {
    auto fails = [&](size_t n) {
      try {
        db.With(Value::Vector(std::vector<Value>(forms.begin(), forms.begin() + n)));
        return false;
      } catch (const Anomaly&) {
        return true;
      }
    };
    size_t at = 0;  // index in batch_ of the failing form
    if (fails(forms.size())) {
      size_t lo = 0, hi = forms.size();  // prefix lo succeeds, prefix hi fails
      while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        (fails(mid) ? hi : lo) = mid;
      }
      at = hi - 1;
    }
    const FormScanner::Form& form = batch_[at];
    std::string message = fmt::format(
        "{} (import: form {} of {} at line {}, column {} failed; its batch of {} forms "
        "(forms {} to {}) wrote nothing; the {} transactions before it stay committed, "
        "{} datoms through basis-t {})",
        e.message(), form.index, file_, form.line, form.column, batch_.size(), batch_.front().index,
        batch_.back().index, transactions_, datoms_, db.basis_t());
    std::vector<ValuePair> data;
    if (e.data().is_map()) {
      for (size_t i = 0; i < e.data().Count(); ++i) {
        data.emplace_back(e.data().MapKey(i), e.data().MapVal(i));
      }
    }
    data.emplace_back(Kw("import/file"), Value::String(file_));
    data.emplace_back(Kw("import/form"), Value::Long(form.index));
    data.emplace_back(Kw("import/line"), Value::Long(form.line));
    data.emplace_back(Kw("import/column"), Value::Long(form.column));
    throw Anomaly(e.category(), std::move(message), e.error(),
                  WithCommitted(Value::Map(std::move(data)), db.basis_t()));
  }

  // `data` (nil or a map) with what the import committed so far.
  Value WithCommitted(const Value& data, int64_t basis_t) const {
    std::vector<ValuePair> entries;
    if (data.is_map()) {
      for (size_t i = 0; i < data.Count(); ++i)
        entries.emplace_back(data.MapKey(i), data.MapVal(i));
    }
    entries.emplace_back(Kw("import/committed-transactions"), Value::Long(transactions_));
    entries.emplace_back(Kw("import/committed-datoms"), Value::Long(datoms_));
    entries.emplace_back(Kw("import/basis-t"), Value::Long(basis_t));
    return Value::Map(std::move(entries));
  }

  bool IsRef(const Database& db, const Value& attr) {
    if (!attr.is_keyword()) return false;
    if (attr.Name().starts_with("_")) return true;  // reverse: the value is an entity
    auto it = ref_attrs_.find(attr);
    if (it != ref_attrs_.end()) return it->second;
    std::optional<EntityId> id = db.Entid(attr);
    if (!id) return false;  // not installed yet: decided when it is
    bool ref = Entity(db, *id).Get("db/valueType") == Value::Keyword("db.type", "ref");
    ref_attrs_.emplace(attr, ref);
    return ref;
  }

  Value RewriteEntityId(const Value& v) const {
    if (!v.is_string()) return v;
    auto it = tempids_.find(std::string(v.AsString()));
    return it == tempids_.end() ? v : Value::Long(it->second);
  }

  Value RewriteRefValue(const Database& db, const Value& v) {
    if (v.is_string()) return RewriteEntityId(v);
    if (v.is_map()) return Rewrite(db, v);
    if (v.is_set() || v.is_list() || v.is_vector()) {
      // A lookup ref [attr value] stays as it is.
      if (v.is_vector() && v.Count() == 2 && v.Items()[0].is_keyword()) return v;
      std::vector<Value> items;
      for (const Value& item : v.Items()) items.push_back(RewriteRefValue(db, item));
      if (v.is_set()) return Value::Set(std::move(items));
      return v.is_list() ? Value::List(std::move(items)) : Value::Vector(std::move(items));
    }
    return v;
  }

  // The form with every string tempid that an earlier batch resolved
  // replaced by its entity id.
  Value Rewrite(const Database& db, const Value& form) {
    if (tempids_.empty()) return form;
    static const Value kDbId = Kw("db/id");
    if (form.is_map()) {
      std::vector<ValuePair> entries;
      for (size_t i = 0; i < form.Count(); ++i) {
        const Value& k = form.MapKey(i);
        const Value& v = form.MapVal(i);
        if (k == kDbId) {
          entries.emplace_back(k, RewriteEntityId(v));
        } else if (IsRef(db, k)) {
          entries.emplace_back(k, RewriteRefValue(db, v));
        } else {
          entries.emplace_back(k, v);
        }
      }
      return Value::Map(std::move(entries));
    }
    static const Value kOps[] = {Kw("db/add"), Kw("db/retract"), Kw("db/retractEntity"),
                                 Kw("db/cas")};
    if ((form.is_vector() || form.is_list()) && form.Count() >= 2 &&
        std::find(std::begin(kOps), std::end(kOps), form.Items()[0]) != std::end(kOps)) {
      std::vector<Value> items(form.Items().begin(), form.Items().end());
      items[1] = RewriteEntityId(items[1]);
      if (items.size() >= 4 && IsRef(db, items[2])) {
        for (size_t i = 3; i < items.size(); ++i) items[i] = RewriteRefValue(db, items[i]);
      }
      return form.is_list() ? Value::List(std::move(items)) : Value::Vector(std::move(items));
    }
    return form;
  }

  Connection conn_;
  ImportOptions options_;
  std::string file_;
  std::vector<FormScanner::Form> batch_;
  int64_t batch_datoms_ = 0;
  int64_t forms_ = 0;
  int64_t transactions_ = 0;
  int64_t datoms_ = 0;
  std::unordered_map<std::string, EntityId> tempids_;
  std::unordered_map<Value, bool> ref_attrs_;
};

// What export needs to know of an attribute.
struct AttrInfo {
  Value ident;
  bool ref = false;
  bool many = false;
  bool composite = false;
};

}  // namespace

int RunImport(const std::string& uri, const std::vector<std::string>& files,
              const ImportOptions& options) {
  Connection conn = Connect(uri);
  std::vector<std::unique_ptr<MappedFile>> mapped;
  size_t total = 0;
  for (const std::string& f : files) {
    mapped.push_back(std::make_unique<MappedFile>(f));
    total += mapped.back()->text().size();
  }
  auto start = Clock::now();
  Progress progress(options.progress, total);
  Importer importer(conn, options);
  size_t before = 0;
  try {
    for (size_t i = 0; i < files.size(); ++i) {
      importer.ImportFile(files[i], mapped[i]->text(), before, &progress);
      before += mapped[i]->text().size();
    }
  } catch (...) {
    progress.Finish();
    if (!options.tempids_path.empty()) importer.WriteTempids(options.tempids_path);
    throw;
  }
  progress.Finish();
  if (!options.tempids_path.empty()) importer.WriteTempids(options.tempids_path);
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::cout << PrintEdn(importer.Summary(static_cast<int64_t>(files.size()), seconds)) << "\n";
  return 0;
}

int RunExport(const std::string& uri, const std::string& path) {
  Connection conn = Connect(uri);
  Database db = conn.Db();

  // Entities of the bootstrap schema, which every database has.
  std::unordered_set<EntityId> bootstrap;
  {
    Database fresh = Connection::CreateInMemory().Db();
    DatomIterator it = fresh.Datoms(Index::kEavt);
    while (const Datom* d = it.Next()) bootstrap.insert(d->e);
  }
  std::unordered_map<EntityId, AttrInfo> attrs;
  auto attr = [&](EntityId a) -> const AttrInfo& {
    auto it = attrs.find(a);
    if (it != attrs.end()) return it->second;
    Entity e(db, a);
    AttrInfo info;
    info.ident = e.Get("db/ident");
    info.ref = e.Get("db/valueType") == Value::Keyword("db.type", "ref");
    info.many = e.Get("db/cardinality") == Value::Keyword("db.cardinality", "many");
    info.composite = !e.Get("db/tupleAttrs").is_nil();
    return attrs.emplace(a, std::move(info)).first->second;
  };
  // A datom's value as tx-data, or nullopt for a ref to a transaction.
  auto value_out = [&](const Datom& d) -> std::optional<Value> {
    if (!attr(d.a).ref) return d.v;
    EntityId target = d.v.AsLong();
    Value ident = db.Ident(target);
    if (!ident.is_nil()) return ident;
    if (IsTxId(target)) return std::nullopt;
    return Value::String(std::to_string(target));
  };

  std::ofstream file;
  std::ostream* out = &std::cout;
  if (path != "-") {
    file.open(path, std::ios::binary | std::ios::trunc);
    if (!file) ThrowFileError(path, "cannot write it");
    out = &file;
  }
  std::string buffer;
  auto flush = [&](bool force) {
    if (force || buffer.size() > (1 << 20)) {
      out->write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
      buffer.clear();
    }
  };
  // Appends one entity map of `datoms` (one entity's, in EAVT order).
  auto write_entity = [&](EntityId e, const std::vector<Datom>& datoms) {
    std::vector<ValuePair> entries;
    entries.emplace_back(Kw("db/id"), Value::String(std::to_string(e)));
    for (size_t i = 0; i < datoms.size();) {
      size_t j = i;
      std::vector<Value> values;
      for (; j < datoms.size() && datoms[j].a == datoms[i].a; ++j) {
        if (std::optional<Value> v = value_out(datoms[j])) values.push_back(*v);
      }
      const AttrInfo& info = attr(datoms[i].a);
      if (!values.empty()) {
        entries.emplace_back(info.ident,
                             info.many ? Value::Vector(std::move(values)) : values.front());
      }
      i = j;
    }
    if (entries.size() == 1) return;
    buffer += " ";
    PrintEdn(Value::Map(std::move(entries)), &buffer);
    buffer += "\n";
    flush(false);
  };

  buffer += fmt::format(
      ";; Strata export of {} at basis-t {}: the current state only (no history).\n"
      ";; Load it with: strata import URI FILE\n",
      uri, db.basis_t());

  // The schema: every entity with an ident, with its bootstrap attributes.
  std::vector<EntityId> idents;
  {
    DatomIterator it = db.Datoms(Index::kAevt, {Kw("db/ident")});
    while (const Datom* d = it.Next()) {
      if (!bootstrap.contains(d->e)) idents.push_back(d->e);
    }
  }
  std::sort(idents.begin(), idents.end());
  std::unordered_set<EntityId> ident_set(idents.begin(), idents.end());
  buffer += ";; Schema\n[\n";
  for (EntityId e : idents) {
    std::vector<Datom> datoms;
    DatomIterator it = db.Datoms(Index::kEavt, {Value::Long(e)});
    while (const Datom* d = it.Next()) {
      if (bootstrap.contains(d->a)) datoms.push_back(*d);
    }
    write_entity(e, datoms);
  }
  buffer += "]\n;; Data\n[\n";
  // The data: every other datom of every entity not in the bootstrap schema.
  DatomIterator it = db.Datoms(Index::kEavt);
  std::vector<Datom> datoms;
  EntityId current = -1;
  auto end_entity = [&] {
    if (current >= 0 && !datoms.empty()) write_entity(current, datoms);
    datoms.clear();
  };
  while (const Datom* d = it.Next()) {
    if (d->e != current) {
      end_entity();
      current = d->e;
    }
    if (bootstrap.contains(d->e) || IsTxId(d->e)) continue;
    if (ident_set.contains(d->e) && bootstrap.contains(d->a)) continue;
    if (attr(d->a).composite) continue;
    datoms.push_back(*d);
  }
  end_entity();
  buffer += "]\n";
  flush(true);
  out->flush();
  if (!*out) ThrowFileError(path, "write failed");
  return 0;
}

}  // namespace strata::cli
