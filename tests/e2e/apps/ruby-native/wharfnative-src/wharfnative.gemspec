Gem::Specification.new do |s|
  s.name = "wharfnative"
  s.version = "0.1.0"
  s.summary = "A tiny native extension for testing"
  s.authors = ["Wharf"]
  s.files = ["ext/wharfnative/extconf.rb", "ext/wharfnative/wharfnative.c", "lib/wharfnative.rb"]
  s.extensions = ["ext/wharfnative/extconf.rb"]
  s.require_paths = ["lib"]
  s.license = "MIT"
end
