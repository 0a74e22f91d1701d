# A tiny Rack app; the buildpack starts it with rackup on $PORT.
require "greeting"

run lambda { |_env|
  [200, { "content-type" => "text/plain; charset=utf-8" }, [Greeting.hello("Ruby #{RUBY_VERSION}") + "\n"]]
}
