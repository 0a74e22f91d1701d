Gem::Specification.new do |s|
  s.name = "greeting"
  s.version = "0.1.0"
  s.summary = "Vendored example library for the Wharf Ruby example"
  s.authors = ["Wharf"]
  s.license = "MIT"
  s.files = ["lib/greeting.rb"]
  s.require_paths = ["lib"]
end
