# Sourced at launch (Java buildpack): the heap from the memory limit.
# MEMORY_LIMIT looks like 512m, 1G or 1024M; the heap gets three quarters.
wharf_java_limit=${MEMORY_LIMIT:-1024m}
case "$wharf_java_limit" in
  *[gG]) wharf_java_mb=$(( ${wharf_java_limit%[gG]} * 1024 )) ;;
  *[mM]) wharf_java_mb=${wharf_java_limit%[mM]} ;;
  *) wharf_java_mb=$(( wharf_java_limit / 1048576 )) ;;
esac
case " ${JAVA_OPTS:-} " in
  *" -Xmx"*) JAVA_XMX_OPT="" ;;
  *) JAVA_XMX_OPT="-Xmx$(( wharf_java_mb * 3 / 4 ))m" ;;
esac
export JAVA_XMX_OPT
unset wharf_java_limit wharf_java_mb
