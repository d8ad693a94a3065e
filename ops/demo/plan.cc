#include "ops/demo/plan.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <random>

#include "aggregates/reference.h"
#include "events/numbers.h"

namespace xyd::ops::demo {
namespace {

constexpr int64_t kYuan = 100;              // amounts are in fen
constexpr int64_t kWan = 10000 * kYuan;     // 万元
constexpr size_t kEnterprisesPerUser = 10;  // one enterprise user owns about ten enterprises
constexpr size_t kEnterprisesPerInstitution = 60;
constexpr int kCertifiedPercent = 92;  // the rest register and never certify (nor apply)
constexpr int kDemandPercent = 25;     // of certified enterprises

const char* const kSurnames[] = {"王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱",
                                 "高", "林", "何", "郭", "马", "罗", "梁", "宋", "郑", "谢", "韩", "唐", "冯", "于"};
const char* const kGiven[] = {"伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟",
                              "涛", "明", "超", "秀", "霞", "平", "刚", "桂", "华", "建", "国", "志", "红", "文"};
const char* const kTrade[] = {"华信", "鼎盛", "恒通", "瑞丰", "嘉禾", "宏远", "金诺", "创新", "博达", "天成",
                              "东升", "兴业", "和泰", "万象", "中科", "汇丰", "永安", "康达", "新元", "启航",
                              "聚源", "盛世", "德润", "海纳", "云帆", "青禾", "锦程", "同舟", "立信", "远景"};
// One word per GB/T 4754 section A-T.
const char* const kIndustryWords[] = {"农业",     "矿业",     "制造",     "能源",     "建设",     "商贸",    "物流",
                                      "餐饮",     "科技",     "金融信息", "置业",     "商务服务", "技术",    "环保",
                                      "家政服务", "教育咨询", "健康",     "文化传媒", "社区服务", "国际合作"};
const char* const kPurposes[] = {"采购原材料", "扩大生产",   "补充流动资金", "设备更新", "支付货款",
                                 "研发投入",   "季节性备货", "偿还到期贷款", "新建厂房", "市场拓展"};
const char* const kChannels[] = {"web", "mini_program", "app", "offline"};
const char* const kRepaymentMethods[] = {"equal_installment", "equal_principal", "interest_first", "bullet", "other"};
const char* const kTerminateReasons[] = {"经营资料不全，企业未补充", "不符合准入条件", "企业联系不上", "抵押物不足"};
const char* const kDeclineReasons[] = {"综合评分不足", "负债率过高", "经营年限不足", "担保方案未通过"};
const char* const kWithdrawReasons[] = {"已从其他渠道获得融资", "资金需求取消", "利率不合适"};

constexpr std::string_view kUsccAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";

class Dice {
 public:
  explicit Dice(uint64_t seed) : engine_(seed) {}
  // Uniform in [low, high].
  int64_t between(int64_t low, int64_t high) {
    return std::uniform_int_distribution<int64_t>(low, std::max(low, high))(engine_);
  }
  bool percent(int p) { return between(0, 99) < p; }
  template <typename T, size_t N>
  const T& pick(const T (&items)[N]) {
    return items[static_cast<size_t>(between(0, N - 1))];
  }
  template <typename T>
  const T& pick(const std::vector<T>& items) {
    return items[static_cast<size_t>(between(0, static_cast<int64_t>(items.size()) - 1))];
  }
  std::mt19937_64& engine() { return engine_; }

 private:
  std::mt19937_64 engine_;
};

// FNV-1a: a hash that is the same on every platform and build.
uint64_t fnv1a(const std::string& text, uint64_t seed) {
  uint64_t h = 1469598103934665603ull ^ seed;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

std::string base31(uint64_t value, size_t width) {
  std::string out(width, '0');
  for (size_t i = width; i-- > 0;) {
    out[i] = kUsccAlphabet[value % 31];
    value /= 31;
  }
  return out;
}

// "91" (industry and commerce, enterprise), the region, a 9-character organisation code carrying
// the seed and the enterprise's number, and the GB 32100 check character.
std::string make_uscc(uint64_t seed, size_t index, const std::string& region) {
  static constexpr int weights[17] = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};
  std::string code = "91" + region + base31(seed % (31ull * 31 * 31 * 31), 4) + base31(index, 5);
  int sum = 0;
  for (size_t i = 0; i < 17; ++i) sum += static_cast<int>(kUsccAlphabet.find(code[i])) * weights[i];
  code += kUsccAlphabet[(31 - sum % 31) % 31];
  return code;
}

// "17" + four digits of the seed + a five-digit serial: sysadmin 0, admins 1.., managers 1000..,
// users 10000..
std::string make_phone(uint64_t seed, size_t serial) {
  char text[48];
  std::snprintf(text, sizeof text, "17%04llu%05zu", static_cast<unsigned long long>(seed % 10000), serial % 100000);
  return text;
}

std::string make_password(uint64_t seed, const std::string& phone) {
  char text[32];
  std::snprintf(text, sizeof text, "Demo-%012llx",
                static_cast<unsigned long long>(fnv1a(phone, seed) & 0xffffffffffffull));
  return text;
}

std::string person_name(Dice& dice) {
  std::string name = dice.pick(kSurnames);
  name += dice.pick(kGiven);
  if (dice.percent(60)) name += dice.pick(kGiven);
  return name;
}

std::string short_place(std::string name) {
  for (const char* suffix : {"市", "省", "自治区", "地区", "盟"})
    if (name.size() > std::string(suffix).size() + 3 && name.ends_with(suffix))
      return name.substr(0, name.size() - std::string(suffix).size());
  return name;
}

// Mainland provinces with their county-level codes (a city's code where it has no counties).
struct Geography {
  std::vector<std::string> provinces;
  std::map<std::string, std::vector<std::string>> places;  // province → county (or city) codes
};

const Geography& geography() {
  static const Geography g = [] {
    Geography geo;
    std::map<std::string, std::vector<std::string>> counties;  // city → its counties
    for (const auto& r : domain::all_regions())
      if (domain::level_of(r.code) == domain::RegionLevel::county && r.name.find("市辖区") == std::string::npos)
        counties[domain::city_of(r.code)].push_back(r.code);
    for (const auto& p : domain::provinces()) {
      if (p.code >= "710000") continue;  // 台湾, 香港, 澳门: no registrations in the demo
      std::vector<std::string> places;
      for (const auto& city : domain::cities_of(p.code)) {
        auto found = counties.find(city.code);
        if (found == counties.end())
          places.push_back(city.code);
        else
          places.insert(places.end(), found->second.begin(), found->second.end());
      }
      if (places.empty()) continue;
      geo.provinces.push_back(p.code);
      geo.places[p.code] = std::move(places);
    }
    return geo;
  }();
  return g;
}

int64_t round_down(int64_t value, int64_t step) {
  return std::max(step, value / step * step);
}

int64_t interest_of(int64_t outstanding, int64_t rate_bp, int64_t days) {
  return outstanding * rate_bp / 10000 * std::max<int64_t>(days, 1) / 365;
}

Path pick_path(Dice& dice, const PathMix& mix) {
  const int roll = static_cast<int>(dice.between(0, 99));
  const std::pair<int, Path> shares[] = {{mix.settled, Path::settled},   {mix.repaying, Path::repaying},
                                         {mix.overdue, Path::overdue},   {mix.bad_debt, Path::bad_debt},
                                         {mix.accepted, Path::accepted}, {mix.terminated, Path::terminated},
                                         {mix.declined, Path::declined}, {mix.withdrawn, Path::withdrawn}};
  int upto = 0;
  for (const auto& [share, path] : shares) {
    upto += share;
    if (roll < upto) return path;
  }
  return Path::assigned;
}

// Repayments of `loan` on `count` dates evenly spread over [first, last]; `clear`: the last one
// pays the rest, else each pays a share and something stays outstanding.
void plan_repayments(Loan& loan, int count, int64_t first, int64_t last, bool clear) {
  int64_t outstanding = loan.amount;
  int64_t previous = days_from_date(loan.disbursed_at);
  const int64_t share = clear ? loan.amount / count : loan.amount / (count + 2);
  for (int i = 0; i < count; ++i) {
    const int64_t day = first + (last - first) * (i + 1) / count;
    Repayment r;
    r.installment = i + 1;
    r.principal = clear && i == count - 1 ? outstanding : std::min(outstanding, std::max<int64_t>(share, 1));
    r.interest = interest_of(outstanding, loan.rate_bp, day - previous);
    r.paid_at = date_from_days(day);
    if (r.principal + r.interest == 0) r.interest = 1;
    outstanding -= r.principal;
    previous = day;
    loan.repayments.push_back(r);
  }
  loan.outstanding_after_repayments = outstanding;
}

class Planner {
 public:
  Planner(uint64_t seed, const PathMix& mix, const std::string& base_date) : dice_(seed), mix_(mix) {
    plan_.seed = seed;
    base_ =
        base_date.empty() ? days_from_date("2025-06-30") - static_cast<int64_t>(seed % 180) : days_from_date(base_date);
    plan_.base_date = date_from_days(base_);
    tag_ = "d" + std::to_string(seed);
  }

  DemoPlan make(size_t enterprises) {
    plan_.system_admin = account(0, "system_admin", "000000", "", "演示系统管理员");
    make_institutions(std::max<size_t>(domain::institution_types().size(),
                                       (enterprises + kEnterprisesPerInstitution / 2) / kEnterprisesPerInstitution));
    index_products();
    const size_t users = (enterprises + kEnterprisesPerUser - 1) / kEnterprisesPerUser;
    for (size_t i = 0; i < enterprises; ++i) make_enterprise(i, i / kEnterprisesPerUser);
    for (size_t u = 0; u < users; ++u) {
      const auto& first = plan_.enterprises[u * kEnterprisesPerUser];
      plan_.users.push_back(account(10000 + u, "enterprise_user", first.region, "", first.legal_representative));
    }
    make_readers();
    return std::move(plan_);
  }

 private:
  AccountPlan account(size_t serial, const std::string& kind, const std::string& region, const std::string& institution,
                      const std::string& name) {
    AccountPlan a;
    a.phone = make_phone(plan_.seed, serial);
    a.kind = kind;
    a.region = region;
    a.institution = institution;
    a.name = name;
    a.password = make_password(plan_.seed, a.phone);
    return a;
  }

  // The region with the most enterprises among those `parent_of` maps to `parent` (ties: the
  // smallest code); "" when none.
  std::string busiest(std::string (*region_of)(const std::string&), const std::string& within) const {
    std::map<std::string, size_t> counts;
    for (const auto& e : plan_.enterprises)
      if (e.region.compare(0, within.size(), within) == 0) ++counts[region_of(e.region)];
    std::string best;
    size_t most = 0;
    for (const auto& [code, n] : counts)
      if (n > most) best = code, most = n;
    return best;
  }

  void make_readers() {
    plan_.readers.push_back(account(9000, "government_national", "000000", "", "演示国家级用户"));
    const std::string province = busiest([](const std::string& r) { return r.substr(0, 2) + "0000"; }, "");
    if (province.empty()) return;
    plan_.readers.push_back(account(9001, "government_province", province, "", "演示省级用户"));
    const std::string city = busiest([](const std::string& r) { return r.substr(0, 4) + "00"; }, province.substr(0, 2));
    plan_.readers.push_back(account(9002, "government_city", city, "", "演示市级用户"));
    plan_.readers.push_back(account(9003, "auditor", "000000", "", "演示审计用户"));
  }

  void make_institutions(size_t count) {
    const auto& geo = geography();
    std::vector<std::string> provinces = geo.provinces;
    std::shuffle(provinces.begin(), provinces.end(), dice_.engine());
    const auto& types = domain::institution_types();
    for (size_t i = 0; i < count; ++i) {
      InstitutionPlan ins;
      char id[64];
      std::snprintf(id, sizeof id, "ins-%s-%03zu", tag_.c_str(), i);
      ins.id = id;
      const auto& type = types[i % types.size()];
      ins.type = type.id;
      const std::string province = provinces[i % provinces.size()];
      const auto cities = domain::cities_of(province);
      ins.region = cities.empty() || dice_.percent(40) ? province : cities.front().code;
      const std::string word = dice_.pick(kTrade);
      ins.short_name = word + type.name;
      ins.full_name = short_place(domain::region_name(province)) + word + type.name;
      ins.admin = plan_.admins.size();
      plan_.admins.push_back(account(1 + i, "institution_admin", ins.region, ins.id, person_name(dice_)));
      const int managers = static_cast<int>(dice_.between(2, 4));
      for (int m = 0; m < managers; ++m) {
        ins.managers.push_back(plan_.managers.size());
        plan_.managers.push_back(
            account(1000 + plan_.managers.size(), "account_manager", ins.region, ins.id, person_name(dice_)));
      }
      const int products = static_cast<int>(dice_.between(2, 3));
      for (int k = 0; k < products; ++k) {
        // The first institutions publish nationwide products, so every province is served.
        const bool nationwide = k == 1 && (i < 3 || dice_.percent(35));
        std::vector<std::string> regions = {province};
        if (nationwide)
          regions = geo.provinces;
        else if (k > 0)
          for (int extra = 0; extra < 2; ++extra) {
            const std::string other = dice_.pick(geo.provinces);
            if (std::find(regions.begin(), regions.end(), other) == regions.end()) regions.push_back(other);
          }
        ins.products.push_back(plan_.products.size());
        plan_.products.push_back(make_product(i, k, ins, std::move(regions)));
      }
      plan_.institutions.push_back(std::move(ins));
    }
  }

  ProductPlan make_product(size_t institution, int k, const InstitutionPlan& ins, std::vector<std::string> regions) {
    ProductPlan p;
    char id[64];
    std::snprintf(id, sizeof id, "prd-%s-%03zu-%d", tag_.c_str(), institution, k);
    p.id = id;
    p.institution = institution;
    const auto& type = dice_.pick(domain::product_types());
    p.product_type = type.id;
    p.name = ins.short_name + (regions.size() > 3 ? "全国" : "") + type.name + "贷" + std::to_string(k + 1) + "号";
    p.amount_min = dice_.pick(std::vector<int64_t>{10, 20, 50, 100}) * kWan;
    p.amount_max = dice_.pick(std::vector<int64_t>{300, 500, 800, 1000}) * kWan;
    p.rate_min_bp = dice_.between(30, 45) * 10;
    p.rate_max_bp = p.rate_min_bp + dice_.between(10, 80) * 10;
    p.term_min_months = static_cast<int>(dice_.pick(std::vector<int64_t>{3, 6, 12}));
    p.term_max_months = static_cast<int>(dice_.pick(std::vector<int64_t>{12, 24, 36, 60}));
    p.service_regions = std::move(regions);
    p.featured = dice_.percent(20);
    const char* const modes[] = {"online_link", "offline_manager", "api"};
    p.docking_mode = dice_.pick(modes);
    if (p.docking_mode == "online_link") p.link = "https://xyd.example.cn/products/" + p.id;
    p.description = "演示数据：" + p.name + "，面向中小微企业。";
    return p;
  }

  void index_products() {
    for (const auto& province : geography().provinces)
      for (size_t p = 0; p < plan_.products.size(); ++p)
        for (const auto& scope : plan_.products[p].service_regions)
          if (domain::region_scope_covers(scope, province)) {
            serving_[province].push_back(p);
            break;
          }
  }

  void make_enterprise(size_t index, size_t owner) {
    const auto& geo = geography();
    EnterprisePlan e;
    const std::string province =
        geo.provinces[index < geo.provinces.size() ? index : dice_.between(0, geo.provinces.size() - 1)];
    e.region = dice_.pick(geo.places.at(province));
    const auto& sections = domain::industry_sections();
    const size_t section = index < sections.size() ? index : static_cast<size_t>(dice_.between(0, sections.size() - 1));
    e.industry = sections[section].id;
    e.uscc = make_uscc(plan_.seed, index, e.region);
    e.id = "ent-" + e.uscc;
    const std::string city = domain::city_of(e.region);
    e.name = short_place(domain::region_name(city.empty() ? province : city)) + dice_.pick(kTrade) +
             kIndustryWords[section] + (dice_.percent(80) ? "有限公司" : "股份有限公司");
    e.legal_representative = person_name(dice_);
    const int scale = static_cast<int>(dice_.between(0, 99));
    e.scale = scale < 50 ? "micro" : scale < 85 ? "small" : "medium";
    e.registered_capital = dice_.between(10, 5000) * kWan;
    e.founded_on = date_from_days(base_ - dice_.between(400, 25 * 365));
    e.owner = owner;
    if (!dice_.percent(kCertifiedPercent)) {
      plan_.enterprises.push_back(std::move(e));
      return;
    }
    const int method = static_cast<int>(dice_.between(0, 99));
    e.certification = method < 70 ? "basic" : method < 92 ? "legal_person" : "manual";
    const int roll = static_cast<int>(dice_.between(0, 99));
    const int applications = roll < 10 ? 0 : roll < 55 ? 1 : roll < 85 ? 2 : 3;
    const auto& candidates = serving_.at(province);
    std::optional<size_t> demand;
    if (dice_.percent(kDemandPercent)) demand = make_demand(plan_.enterprises.size(), e, candidates, applications > 0);
    for (int k = 0; k < applications; ++k) {
      // A converted demand's application goes to a product of the claiming manager's institution.
      const bool converts = k == 0 && demand && plan_.demands[*demand].close_reason == "converted";
      ApplicationPlan a = make_application(index, k, converts ? std::vector<size_t>{demand_product_} : candidates);
      if (converts) {
        a.demand = demand;
        plan_.demands[*demand].product_type = plan_.products[demand_product_].product_type;
      }
      e.applications.push_back(std::move(a));
    }
    plan_.enterprises.push_back(std::move(e));
  }

  size_t make_demand(size_t enterprise, const EnterprisePlan& e, const std::vector<size_t>& candidates,
                     bool will_apply) {
    DemandPlan d;
    char id[64];
    std::snprintf(id, sizeof id, "dem-%s-%05zu", tag_.c_str(), plan_.demands.size());
    d.id = id;
    d.enterprise = enterprise;
    d.amount = dice_.between(5, 300) * kWan;
    d.term_months = static_cast<int>(dice_.pick(std::vector<int64_t>{6, 12, 24, 36}));
    d.region = e.region;
    d.product_type = dice_.pick(domain::product_types()).id;
    d.purpose = dice_.pick(kPurposes);
    if (dice_.percent(60)) {
      demand_product_ = dice_.pick(candidates);
      const auto& ins = plan_.institutions[plan_.products[demand_product_].institution];
      d.claimed_by = dice_.pick(ins.managers);
      if (will_apply) d.close_reason = "converted";
    } else if (dice_.percent(30)) {
      d.close_reason = "withdrawn";
    }
    plan_.demands.push_back(std::move(d));
    return plan_.demands.size() - 1;
  }

  ApplicationPlan make_application(size_t index, int k, const std::vector<size_t>& candidates) {
    ApplicationPlan a;
    char id[64];
    std::snprintf(id, sizeof id, "app-%s-%05zu-%d", tag_.c_str(), index, k);
    a.id = id;
    a.product = dice_.pick(candidates);
    const auto& p = plan_.products[a.product];
    const int64_t high = std::max(p.amount_min, std::min(p.amount_max, 800 * kWan));
    a.amount = p.amount_min + dice_.between(0, (high - p.amount_min) / kWan) * kWan;
    a.term_months = static_cast<int>(dice_.between(p.term_min_months, p.term_max_months));
    a.purpose = dice_.pick(kPurposes);
    a.channel = dice_.pick(kChannels);
    a.path = pick_path(dice_, mix_);
    a.intended_amount = std::min(a.amount, round_down(a.amount * dice_.between(70, 100) / 100, 100 * kYuan));
    switch (a.path) {
      case Path::terminated:
        a.reason = dice_.pick(kTerminateReasons);
        a.accepted_first = dice_.percent(50);
        break;
      case Path::declined:
        a.reason = dice_.pick(kDeclineReasons);
        a.declined_at = date_from_days(base_ - dice_.between(0, 1000));
        break;
      case Path::withdrawn:
        a.reason = dice_.pick(kWithdrawReasons);
        a.accepted_first = dice_.percent(30);
        break;
      case Path::settled:
      case Path::repaying:
      case Path::overdue:
      case Path::bad_debt:
        plan_loans(a, p);
        break;
      default:
        break;
    }
    return a;
  }

  void plan_loans(ApplicationPlan& a, const ProductPlan& p) {
    const bool settled = a.path == Path::settled;
    const int64_t granted = base_ - (a.path == Path::repaying ? dice_.between(90, 700) : dice_.between(240, 1095));
    a.credit.number = a.id + "-C";
    a.credit.amount = a.intended_amount;
    a.credit.rate_bp = dice_.between(p.rate_min_bp, p.rate_max_bp);
    a.credit.term_months = a.term_months;
    a.credit.granted_at = date_from_days(granted);
    a.credit.valid_until = date_from_days(granted + 365);
    const bool two = (settled || a.path == Path::repaying) && dice_.percent(30) && a.credit.amount >= 2 * kYuan;
    int64_t disbursed = granted + dice_.between(0, 20);
    const int64_t first_amount = two ? a.credit.amount * 6 / 10 : a.credit.amount;
    for (int n = 0; n < (two ? 2 : 1); ++n) {
      Loan loan;
      loan.number = a.id + "-L" + std::to_string(n + 1);
      loan.amount = n == 0 ? first_amount : a.credit.amount - first_amount;
      loan.rate_bp = a.credit.rate_bp;
      loan.disbursed_at = date_from_days(disbursed);
      loan.maturity = add_months(loan.disbursed_at, a.term_months);
      loan.repayment_method = dice_.pick(kRepaymentMethods);
      const int64_t last = std::min(days_from_date(loan.maturity), base_);
      if (settled) {
        plan_repayments(loan, static_cast<int>(dice_.between(2, 6)), disbursed + 1, std::max(last, disbursed + 6),
                        true);
      } else {
        const int count = static_cast<int>(dice_.between(a.path == Path::repaying ? 1 : 0, 3));
        if (count > 0)
          plan_repayments(loan, count, disbursed + 1, std::max(disbursed + count, (disbursed + last) / 2), false);
        else
          loan.outstanding_after_repayments = loan.amount;
      }
      a.loans.push_back(std::move(loan));
      disbursed += dice_.between(10, 60);
    }
    if (a.path == Path::overdue || a.path == Path::bad_debt) {
      const Loan& loan = a.loans.front();
      const int64_t after =
          loan.repayments.empty() ? days_from_date(loan.disbursed_at) : days_from_date(loan.repayments.back().paid_at);
      Overdue o;
      o.loan_number = loan.number;
      o.days_past_due = dice_.between(15, 180);
      o.overdue_principal = std::max<int64_t>(1, loan.outstanding_after_repayments * dice_.between(20, 100) / 100);
      o.as_of = date_from_days(std::min(base_, after + dice_.between(30, 120)));
      if (a.path == Path::bad_debt)
        a.write_off = WriteOff{loan.number, loan.outstanding_after_repayments,
                               date_from_days(std::min(base_, days_from_date(o.as_of) + dice_.between(30, 180)))};
      a.overdue = std::move(o);
    }
  }

  Dice dice_;
  PathMix mix_;
  DemoPlan plan_;
  int64_t base_ = 0;
  std::string tag_;
  std::map<std::string, std::vector<size_t>> serving_;  // province → products serving it
  size_t demand_product_ = 0;                           // the product of the last claimed demand
};

}  // namespace

const char* expected_status(Path path) {
  switch (path) {
    case Path::settled:
      return "settled";
    case Path::repaying:
      return "disbursed";
    case Path::overdue:
      return "overdue";
    case Path::bad_debt:
      return "bad_debt";
    case Path::accepted:
      return "accepted";
    case Path::terminated:
      return "terminated";
    case Path::declined:
      return "credit_declined";
    case Path::withdrawn:
      return "withdrawn";
    case Path::assigned:
      return "assigned";
  }
  return "?";
}

const char* path_name(Path path) {
  return path == Path::repaying ? "disbursed_repaying" : expected_status(path);
}

size_t DemoPlan::application_count() const {
  size_t n = 0;
  for (const auto& e : enterprises) n += e.applications.size();
  return n;
}

std::array<size_t, kPathCount> DemoPlan::path_counts() const {
  std::array<size_t, kPathCount> counts{};
  for (const auto& e : enterprises)
    for (const auto& a : e.applications) ++counts[static_cast<size_t>(a.path)];
  return counts;
}

DemoPlan make_plan(uint64_t seed, size_t enterprises, const PathMix& mix, const std::string& base_date) {
  return Planner(seed, mix, base_date).make(enterprises);
}

namespace {
// A part of a "YYYY-MM-DD" date the plan made (or checked) itself; 0 when it is not digits.
int date_part(const std::string& date, size_t from, size_t count) {
  return static_cast<int>(
      whole_number(std::string_view(date).substr(std::min(from, date.size()), count), 0, 9999).value_or(0));
}
}  // namespace

// H. Hinnant's days_from_civil / civil_from_days.
int64_t days_from_date(const std::string& date) {
  int y = date_part(date, 0, 4);
  const auto m = static_cast<unsigned>(date_part(date, 5, 2));
  const auto d = static_cast<unsigned>(date_part(date, 8, 2));
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<int64_t>(era) * 146097 + static_cast<int64_t>(doe) - 719468;
}

std::string date_from_days(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  char text[48];
  std::snprintf(text, sizeof text, "%04lld-%02u-%02u", static_cast<long long>(y + (m <= 2)), m, d);
  return text;
}

std::string add_months(const std::string& date, int months) {
  int y = date_part(date, 0, 4), m = date_part(date, 5, 2) + months, d = date_part(date, 8, 2);
  y += (m - 1) / 12;
  m = (m - 1) % 12 + 1;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  d = std::min(d, kDays[m - 1] + (m == 2 && leap ? 1 : 0));
  char text[48];
  std::snprintf(text, sizeof text, "%04d-%02d-%02d", y, m, d);
  return text;
}

}  // namespace xyd::ops::demo
