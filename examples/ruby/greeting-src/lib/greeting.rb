# A tiny library, vendored as a .gem under vendor/cache so staging needs no gem server.
module Greeting
  def self.hello(who)
    "Hello from #{who} on Wharf"
  end
end
