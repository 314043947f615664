#pragma once
// Public access to the host's process-wide state, for the UI and the apps.

namespace typesys { class Registry; }

namespace typehost {

// The registry that the embedded typehost module, the plugins and the UI share. It lives for
// the whole process; like every Registry it may be read from any thread (see registry.h), and
// its listeners run on the thread that changed it.
typesys::Registry& registry();

} // namespace typehost
