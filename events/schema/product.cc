#include "events/schema/product.h"

namespace xyd::events::product {
using enum FieldKind;

const AggregateEvents& schema() {
  static const AggregateEvents declared{"product",
                                        {
                                            {kProductPublished,
                                             {{"institution", text},
                                              {"name", text},
                                              {"product_type", text},
                                              {"amount_min", fen},
                                              {"amount_max", fen},
                                              {"rate_min_bp", basis_points},
                                              {"rate_max_bp", basis_points},
                                              {"term_min_months", count},
                                              {"term_max_months", count},
                                              {"service_regions", list},
                                              {"featured", flag},
                                              {"admission_rules", object},
                                              {"docking_mode", text},
                                              optional("link", text),
                                              optional("description", text)}},
                                            {kProductUpdated, {{"changes", object}, optional("by", text)}},
                                            {kProductDisabled, {optional("by", text)}},
                                            {kProductEnabled, {optional("by", text)}},
                                            {kProductWithdrawn, {optional("by", text)}},
                                        }};
  return declared;
}

}  // namespace xyd::events::product
