#include "typehost/host.h"

#include "conversion.h"

namespace typehost {

typesys::Registry& registry() { return detail::hostRegistry(); }

} // namespace typehost
