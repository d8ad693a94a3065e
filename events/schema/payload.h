// Event payloads as C++ structs. Each event's data is a struct in its aggregate's header
// (events/schema/<aggregate>.h) whose members have named types for their kinds (Fen, BasisPoints,
// Date, ...; std::optional for a field only some events carry) and whose members() lists them with
// their JSON names. From that one declaration come the event's EventSpec (the catalog is made from
// these), decode<P>() (data read through checked, typed readers, refusing naming the field) and
// encode() (the data a decider writes). Pure, header-only; any thread.
#pragma once

#include <compare>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>

#include "events/money.h"
#include "events/result.h"
#include "events/schema/field.h"

namespace xyd::events {

// An amount: a whole number of fen (分). Sums go through checked_add, never wrap.
struct Fen {
  int64_t value = 0;
  auto operator<=>(const Fen&) const = default;
};
// a + b, or nullopt when the sum does not fit.
inline std::optional<Fen> checked_add(Fen a, Fen b) {
  auto sum = checked_add(a.value, b.value);
  if (!sum) return std::nullopt;
  return Fen{*sum};
}

// A rate: a whole number of basis points (1 bp = 0.01%).
struct BasisPoints {
  int64_t value = 0;
  auto operator<=>(const BasisPoints&) const = default;
};
// A business date, "YYYY-MM-DD" (China Standard Time).
struct Date {
  std::string text;
  auto operator<=>(const Date&) const = default;
};
// An instant, RFC 3339.
struct Instant {
  std::string text;
  auto operator<=>(const Instant&) const = default;
};
// A list, an object, or a value of more than one kind (a changed field's before and after).
struct List {
  nlohmann::json items = nlohmann::json::array();
};
struct Object {
  nlohmann::json fields = nlohmann::json::object();
};
struct Any {
  nlohmann::json value;
};

namespace payload {

// The kind each member type stands for.
template <class T>
struct KindOf;
template <>
struct KindOf<std::string> : std::integral_constant<FieldKind, FieldKind::text> {};
template <>
struct KindOf<Fen> : std::integral_constant<FieldKind, FieldKind::fen> {};
template <>
struct KindOf<BasisPoints> : std::integral_constant<FieldKind, FieldKind::basis_points> {};
template <>
struct KindOf<int64_t> : std::integral_constant<FieldKind, FieldKind::count> {};
template <>
struct KindOf<Date> : std::integral_constant<FieldKind, FieldKind::date> {};
template <>
struct KindOf<Instant> : std::integral_constant<FieldKind, FieldKind::instant> {};
template <>
struct KindOf<bool> : std::integral_constant<FieldKind, FieldKind::flag> {};
template <>
struct KindOf<List> : std::integral_constant<FieldKind, FieldKind::list> {};
template <>
struct KindOf<Object> : std::integral_constant<FieldKind, FieldKind::object> {};
template <>
struct KindOf<Any> : std::integral_constant<FieldKind, FieldKind::any> {};

template <class T>
struct Optional : std::false_type {
  using type = T;
};
template <class T>
struct Optional<std::optional<T>> : std::true_type {
  using type = T;
};

// One member of a payload: its JSON name and where it lives in the struct.
template <class P, class T>
struct Member {
  const char* name;
  T P::*pointer;
};

// A whole number that fits in int64 (JSON may hold it as unsigned).
// (nlohmann's get_ptr of number_integer_t also answers for an unsigned value: ask unsigned first.)
inline std::optional<int64_t> whole(const nlohmann::json& value) {
  if (const auto* unsigned_value = value.get_ptr<const nlohmann::json::number_unsigned_t*>())
    return *unsigned_value <= static_cast<uint64_t>(INT64_MAX) ? std::optional<int64_t>(*unsigned_value) : std::nullopt;
  if (const auto* signed_value = value.get_ptr<const nlohmann::json::number_integer_t*>()) return *signed_value;
  return std::nullopt;
}

// `value` (of the member's kind, checked) as T.
template <class T>
T read_as(const nlohmann::json& value) {
  if constexpr (std::is_same_v<T, std::string>) {
    return value.get_ref<const std::string&>();
  } else if constexpr (std::is_same_v<T, int64_t>) {
    return whole(value).value_or(0);
  } else if constexpr (std::is_same_v<T, Fen> || std::is_same_v<T, BasisPoints>) {
    return T{whole(value).value_or(0)};
  } else if constexpr (std::is_same_v<T, Date> || std::is_same_v<T, Instant>) {
    return T{value.get_ref<const std::string&>()};
  } else if constexpr (std::is_same_v<T, bool>) {
    return *value.get_ptr<const nlohmann::json::boolean_t*>();
  } else {
    return T{value};  // List, Object, Any
  }
}

template <class T>
nlohmann::json write_as(const T& value) {
  if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, int64_t> || std::is_same_v<T, bool>) {
    return value;
  } else if constexpr (std::is_same_v<T, Fen> || std::is_same_v<T, BasisPoints>) {
    return value.value;
  } else if constexpr (std::is_same_v<T, Date> || std::is_same_v<T, Instant>) {
    return value.text;
  } else if constexpr (std::is_same_v<T, List>) {
    return value.items;
  } else if constexpr (std::is_same_v<T, Object>) {
    return value.fields;
  } else {
    return value.value;
  }
}

// Reads one member of `data` into `payload`; refuses a missing required field or one of another kind.
template <class P, class M>
Status read_member(const nlohmann::json& data, const Member<P, M>& member, P& payload) {
  using Value = typename Optional<M>::type;
  constexpr FieldKind kind = KindOf<Value>::value;
  const std::string field = std::string("data.") + member.name;
  auto found = data.find(member.name);
  if (found == data.end()) {
    if constexpr (Optional<M>::value) return Status();
    return make_error(Errc::invalid_argument, std::string(P::kName) + " requires " + field, field, "required");
  }
  if (!is_kind(*found, kind))
    return make_error(Errc::invalid_argument,
                      std::string(P::kName) + " " + field + " must be " + std::string(kind_name(kind)), field, "kind");
  payload.*member.pointer = read_as<Value>(*found);
  return Status();
}

}  // namespace payload

// A member of payload P named `name` in the JSON (for P::members()).
template <class P, class T>
constexpr payload::Member<P, T> member(const char* name, T P::*pointer) {
  return {name, pointer};
}

// The declaration of the event whose data P is: its name, fields (kinds and presence from the
// member types) and schema version (P::kVersion when P has one), with the upcasters from older
// versions.
template <class P>
EventSpec event_spec(std::map<int32_t, Upcaster> upcasters = {}) {
  EventSpec spec{P::kName, {}, 1, std::move(upcasters)};
  if constexpr (requires { P::kVersion; }) spec.version = P::kVersion;
  std::apply(
      [&spec](const auto&... members) {
        (spec.fields.push_back(
             FieldSpec{members.name,
                       payload::KindOf<typename payload::Optional<
                           std::remove_cvref_t<decltype(std::declval<P>().*(members.pointer))>>::type>::value,
                       !payload::Optional<std::remove_cvref_t<decltype(std::declval<P>().*(members.pointer))>>::value}),
         ...);
      },
      P::members());
  return spec;
}

// The event's data as P: every required field present and every field of its kind, else
// invalid_argument naming "data.<field>". Fields P does not declare are ignored (reading is
// lenient; writing is held to the declaration by the catalog).
template <class P>
Result<P> decode(const nlohmann::json& data) {
  if (!data.is_object())
    return make_error(Errc::invalid_argument, std::string(P::kName) + " data must be an object", "data", "object");
  P payload;
  Status status;
  std::apply(
      [&](const auto&... members) {
        ((status = status.ok() ? payload::read_member(data, members, payload) : status), ...);
      },
      P::members());
  if (!status.ok()) return status.error();
  return payload;
}

// P as the event's data: every member, an absent optional left out.
template <class P>
nlohmann::json encode(const P& payload) {
  nlohmann::json data = nlohmann::json::object();
  std::apply(
      [&](const auto&... members) {
        (
            [&] {
              const auto& value = payload.*(members.pointer);
              using M = std::remove_cvref_t<decltype(value)>;
              if constexpr (payload::Optional<M>::value) {
                if (value) data[members.name] = payload::write_as(*value);
              } else {
                data[members.name] = payload::write_as(value);
              }
            }(),
            ...);
      },
      P::members());
  return data;
}

}  // namespace xyd::events
