#include "sim/internal/collision_world.h"

#include <btBulletCollisionCommon.h>

#include <algorithm>

#include "core/check.h"

namespace gauntlet::sim::internal {
namespace {

constexpr int kEgoGroup = 1;
constexpr int kOtherGroup = 2;

// Closest hit that skips one object (the sensor's host).
struct IgnoringRayCallback : public btCollisionWorld::ClosestRayResultCallback {
  IgnoringRayCallback(const btVector3& from, const btVector3& to, const btCollisionObject* ignore)
      : ClosestRayResultCallback(from, to), ignore_(ignore) {
    m_collisionFilterGroup = kEgoGroup | kOtherGroup;
    m_collisionFilterMask = kEgoGroup | kOtherGroup;
  }
  bool needsCollision(btBroadphaseProxy* proxy) const override {
    if (static_cast<const btCollisionObject*>(proxy->m_clientObject) == ignore_) return false;
    return (proxy->m_collisionFilterGroup & m_collisionFilterMask) != 0;
  }
  const btCollisionObject* ignore_;
};

// Bullet's default pools hold 4096 manifolds and algorithms, and Bullet zeroes what it allocates: about
// a millisecond per world. One manifold and one algorithm per ego pair is what an episode needs (Bullet
// allocates beyond the pool when it must).
btDefaultCollisionConstructionInfo PoolsFor(int boxes) {
  btDefaultCollisionConstructionInfo info;
  info.m_defaultMaxPersistentManifoldPoolSize = std::max(8, boxes);
  info.m_defaultMaxCollisionAlgorithmPoolSize = std::max(8, 2 * boxes);
  return info;
}

}  // namespace

struct CollisionWorld::Impl {
  explicit Impl(int boxes) : configuration(PoolsFor(boxes)) {}
  btDefaultCollisionConfiguration configuration;
  btCollisionDispatcher dispatcher{&configuration};
  btDbvtBroadphase broadphase;
  btCollisionWorld world{&dispatcher, &broadphase, &configuration};
  std::vector<std::unique_ptr<btBoxShape>> shapes;
  std::vector<std::unique_ptr<btCollisionObject>> objects;
  std::vector<double> half_heights;
  int ego = -1;

  ~Impl() {
    for (auto& object : objects) world.removeCollisionObject(object.get());
  }
};

CollisionWorld::CollisionWorld(int expected_boxes) : impl_(std::make_unique<Impl>(expected_boxes)) {
  impl_->world.setForceUpdateAllAabbs(false);
}

CollisionWorld::~CollisionWorld() = default;

int CollisionWorld::AddBox(double half_length_m, double half_width_m, double half_height_m, Role role) {
  const int index = static_cast<int>(impl_->objects.size());
  auto shape = std::make_unique<btBoxShape>(btVector3(half_length_m, half_width_m, half_height_m));
  auto object = std::make_unique<btCollisionObject>();
  object->setCollisionShape(shape.get());
  object->setUserIndex(index);
  btTransform transform;
  transform.setIdentity();
  transform.setOrigin(btVector3(0, 0, half_height_m));
  object->setWorldTransform(transform);
  int group = kOtherGroup;
  int mask = kEgoGroup;
  if (role == Role::kEgo) {
    GAUNTLET_CHECK_MSG(impl_->ego < 0, "one ego box");
    impl_->ego = index;
    group = kEgoGroup;
    mask = kOtherGroup;
  }
  // a btCollisionObject starts static; moving boxes get their bounds refreshed by every detection
  if (role == Role::kStatic) {
    object->setCollisionFlags(object->getCollisionFlags() | btCollisionObject::CF_STATIC_OBJECT);
  } else {
    object->setCollisionFlags(object->getCollisionFlags() & ~btCollisionObject::CF_STATIC_OBJECT);
    object->setActivationState(DISABLE_DEACTIVATION);
  }
  impl_->world.addCollisionObject(object.get(), group, mask);
  impl_->shapes.push_back(std::move(shape));
  impl_->objects.push_back(std::move(object));
  impl_->half_heights.push_back(half_height_m);
  return index;
}

void CollisionWorld::SetPose(int box, double x_m, double y_m, double heading_rad) {
  btCollisionObject* object = impl_->objects[static_cast<size_t>(box)].get();
  btTransform transform;
  transform.setOrigin(btVector3(x_m, y_m, impl_->half_heights[static_cast<size_t>(box)]));
  transform.setRotation(btQuaternion(btVector3(0, 0, 1), heading_rad));
  object->setWorldTransform(transform);
  if (object->isStaticObject()) impl_->world.updateSingleAabb(object);
}

void CollisionWorld::UpdateBounds() { impl_->world.updateAabbs(); }

CollisionWorld::RayHit CollisionWorld::CastRay(const Point3& from, const Point3& to, int ignore) const {
  const btVector3 a(from.x, from.y, from.z);
  const btVector3 b(to.x, to.y, to.z);
  const btCollisionObject* ignored = ignore >= 0 ? impl_->objects[static_cast<size_t>(ignore)].get() : nullptr;
  IgnoringRayCallback callback(a, b, ignored);
  impl_->world.rayTest(a, b, callback);
  RayHit hit;
  if (callback.hasHit()) {
    hit.box = callback.m_collisionObject->getUserIndex();
    hit.fraction = callback.m_closestHitFraction;
  }
  return hit;
}

}  // namespace gauntlet::sim::internal
