#include "size_expr.h"

#include "errors.h"

namespace lrp {

SizeExpr SizeExpr::constant(int64_t value) {
  SizeExpr e;
  e.kind_ = Kind::Constant;
  e.value_ = value;
  return e;
}

SizeExpr SizeExpr::dim(int node, int64_t dim) {
  SizeExpr e;
  e.kind_ = Kind::Dim;
  e.node_ = node;
  e.value_ = dim;
  return e;
}

SizeExpr SizeExpr::binary(Kind kind, const SizeExpr& a, const SizeExpr& b) {
  SizeExpr e;
  e.kind_ = kind;
  e.a_ = std::make_shared<SizeExpr>(a);
  e.b_ = std::make_shared<SizeExpr>(b);
  if (a.isConstant() && b.isConstant()) return constant(e.evaluate([](int, int64_t) -> int64_t { return 0; }));
  return e;
}

int64_t SizeExpr::evaluate(const std::function<int64_t(int, int64_t)>& sizeOf) const {
  switch (kind_) {
    case Kind::Constant: return value_;
    case Kind::Dim: return sizeOf(node_, value_);
    case Kind::Add: return a_->evaluate(sizeOf) + b_->evaluate(sizeOf);
    case Kind::Sub: return a_->evaluate(sizeOf) - b_->evaluate(sizeOf);
    case Kind::Mul: return a_->evaluate(sizeOf) * b_->evaluate(sizeOf);
    case Kind::FloorDiv:
    case Kind::Mod: {
      int64_t d = b_->evaluate(sizeOf);
      if (d == 0) throw Error(ErrorCode::BadShape, "division by zero in a traced size expression");
      int64_t n = a_->evaluate(sizeOf);
      int64_t q = n / d;
      if (n % d != 0 && ((n < 0) != (d < 0))) --q;
      return kind_ == Kind::FloorDiv ? q : n - q * d;
    }
  }
  return 0;
}

void SizeExpr::collectNodes(std::vector<int>& out) const {
  if (kind_ == Kind::Dim) out.push_back(node_);
  if (a_) a_->collectNodes(out);
  if (b_) b_->collectNodes(out);
}

SizeExpr SizeExpr::remapped(const std::function<int(int)>& remap) const {
  SizeExpr e = *this;
  if (kind_ == Kind::Dim) e.node_ = remap(node_);
  if (a_) e.a_ = std::make_shared<SizeExpr>(a_->remapped(remap));
  if (b_) e.b_ = std::make_shared<SizeExpr>(b_->remapped(remap));
  return e;
}

std::string SizeExpr::toString(const std::function<std::string(int)>& nameOf) const {
  switch (kind_) {
    case Kind::Constant: return std::to_string(value_);
    case Kind::Dim: return "size(" + nameOf(node_) + "," + std::to_string(value_) + ")";
    case Kind::Add: return "(" + a_->toString(nameOf) + "+" + b_->toString(nameOf) + ")";
    case Kind::Sub: return "(" + a_->toString(nameOf) + "-" + b_->toString(nameOf) + ")";
    case Kind::Mul: return a_->toString(nameOf) + "*" + b_->toString(nameOf);
    case Kind::FloorDiv: return a_->toString(nameOf) + "//" + b_->toString(nameOf);
    case Kind::Mod: return "(" + a_->toString(nameOf) + "%" + b_->toString(nameOf) + ")";
  }
  return "?";
}

std::vector<int64_t> evaluateSizes(const SizeList& sizes, const std::function<int64_t(int, int64_t)>& sizeOf) {
  std::vector<int64_t> out;
  out.reserve(sizes.size());
  for (const auto& s : sizes) out.push_back(s.evaluate(sizeOf));
  return out;
}

}  // namespace lrp
