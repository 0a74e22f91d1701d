#include <ruby.h>
static VALUE hello(VALUE self) { return rb_str_new_cstr("Hello from a native extension"); }
void Init_wharfnative(void) {
  VALUE m = rb_define_module("Wharfnative");
  rb_define_module_function(m, "hello", hello, 0);
}
