#include <gtest/gtest.h>

#include "opendrive/opendrive.h"
