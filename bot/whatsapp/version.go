package whatsapp

import "runtime/debug"

// whatsmeowModule is the module path of the WhatsApp library.
const whatsmeowModule = "go.mau.fi/whatsmeow"

// WhatsmeowVersion is the version of go.mau.fi/whatsmeow built into this
// binary ("unknown" when the build carries no module information, as in
// tests), for `supportbot version` and the outdated-client notice.
func WhatsmeowVersion() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	return moduleVersion(info)
}

func moduleVersion(info *debug.BuildInfo) string {
	for _, dep := range info.Deps {
		if dep.Path == whatsmeowModule {
			if dep.Replace != nil {
				return dep.Replace.Version
			}
			return dep.Version
		}
	}
	return "unknown"
}
