/// Placeholder replaced by the service's first real file.
enum ServicePlaceholder {}
