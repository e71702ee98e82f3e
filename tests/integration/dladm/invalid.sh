#!/bin/bash
# SPDX-License-Identifier: MIT
# Invalid dladm invocations: each prints exactly the expected message,
# exits 1, and leaves the VNICs as they were (show-vnic -p unchanged);
# the objects they name stay as they were too.  Records left by delete -t
# (persistent vnic3, vnic5 over stub2, stub1) keep their names and refuse
# changes until vswitchd restarts.
. "$(dirname "$0")/lib.sh"
dl_require
dl_start

dl create-vnic -l phys0 -m 2:8:20:0:0:1 -v 10 vnic1 || fail "vnic1"
dl create-etherstub -t stub0 || fail "stub0"
dl create-vnic -t -l stub0 -m 2:8:20:0:0:2 vnic2 || fail "vnic2"
dl create-etherstub stub1 && dl create-etherstub stub2 || fail "stub1/2"
dl create-vnic -l phys0 -m 2:8:20:0:0:3 vnic3 || fail "vnic3"
dl create-vnic -l stub2 -m 2:8:20:0:0:5 vnic5 || fail "vnic5"
dl delete-vnic -t vnic3 && dl delete-vnic -t vnic5 &&
    dl delete-etherstub -t stub1 || fail "delete -t"
before=$(snapshot)
persistent_before=$(dl show-vnic -P -p -o link,over,vid,macaddress
    dl show-link -P -p -o link,class | ours)
props_before=$(dl show-linkprop -c -o link,property,value | ours)
n=0

# bad MESSAGE ARGS...: stderr is exactly MESSAGE, exit status 1.
bad() {
    n=$((n + 1))
    dl_refused "$@"
    shift
    [ "$(snapshot)" = "$before" ] || fail "dladm $*: changed the VNICs"
}
L=$(printf 'a%.0s' $(seq 40))0
RULE=": a name is letters, digits, '_' and '.', not starting with a digit, ending in a number without a leading zero (vnic0, stub12)"

bad "dladm: link name too long '${L}'" create-vnic -l phys0 "$L"
bad "dladm: invalid link name '9vnic0'$RULE" create-vnic -l phys0 9vnic0
bad "dladm: invalid link name 'vnic'$RULE" create-vnic -l phys0 vnic
bad "dladm: invalid link name 'vnic01'$RULE" create-vnic -l phys0 vnic01
bad "dladm: invalid link name 'vn-ic0'$RULE" create-vnic -l phys0 vn-ic0
GUEST=": xvm<domid>_<n> is the name of a guest domain's VNIC, which vswitchd makes for the domain's vif"
bad "dladm: invalid link name 'xvm3_0'$GUEST" create-vnic -l phys0 xvm3_0
bad "dladm: invalid link name 'xvm3_0'$GUEST" create-etherstub xvm3_0
bad "dladm: invalid link name 'xvm3_0'$GUEST" rename-link vnic1 xvm3_0
bad "dladm: invalid VLAN identifier '4095': 1-4094" create-vnic -l phys0 -v 4095 v0
bad "dladm: invalid VLAN identifier '0': 1-4094" create-vnic -l phys0 -v 0 v0
bad "dladm: invalid VLAN identifier 'ten': 1-4094" create-vnic -l phys0 -v ten v0
bad "dladm: the option -v cannot be specified more than once" \
    create-vnic -l phys0 -v 3 -v 4 v0
bad "dladm: the option -l cannot be specified more than once" \
    create-vnic -l phys0 -l phys0 v0
bad "dladm: cannot specify -m option twice" \
    create-vnic -l phys0 -m random -m auto v0
bad "dladm: invalid MAC address" create-vnic -l phys0 -m 2:8:20:0:0 v0
bad "dladm: invalid MAC address" create-vnic -l phys0 -m 2:8:20:0:0:zz v0
bad "dladm: invalid MAC address" create-vnic -l phys0 -m 2:8:20:0:0:100 v0
bad "dladm: 'fixed' is not a valid MAC address" \
    create-vnic -l phys0 -m fixed v0
bad "dladm: vnic creation over phys0 failed: invalid MAC address value" \
    create-vnic -l phys0 -m 1:0:5e:0:0:1 v0
bad "dladm: vnic creation over phys0 failed: MAC address is already in use" \
    create-vnic -l phys0 -m 2:8:20:0:0:1 v0
bad "dladm: vnic creation over phys0 failed: object already exists" \
    create-vnic -l phys0 vnic1
bad "dladm: vnic creation over phys0 failed: object already exists" \
    create-vnic -l phys0 stub0
bad "dladm: invalid link name 'nolink0'" create-vnic -l nolink0 v0
bad "dladm: vnic creation over vnic1 failed: invalid link" \
    create-vnic -l vnic1 v0
bad "dladm: vnic creation over stub0 failed: can't create persistent object on top of temporary object" \
    create-vnic -l stub0 v0
bad "dladm: vnic creation over phys0 failed: minimum value for maxbw is 1200K" \
    create-vnic -l phys0 -p maxbw=1199K v0
bad "dladm: vnic creation over phys0 failed: invalid link property 'speed'" \
    create-vnic -l phys0 -p speed=10 v0
bad "dladm: link property 'priority' must be one of: low,medium,high" \
    create-vnic -l phys0 -p priority=urgent v0
bad "dladm: invalid MAC address" create-vnic -l phys0 -m random -r zz v0
bad "usage: create-vnic      [-t] -l <link> [-m <value> | auto |
		     {random [-r <prefix>]}] [-v <vid>]
		     [-p <prop>=<value>[,...]] <vnic-link>" create-vnic v0
bad "dladm: invalid link name 'vnic9'" delete-vnic vnic9
bad "dladm: 'phys0' is not a vnic" delete-vnic phys0
bad "dladm: 'vnic1' is not an etherstub" delete-etherstub vnic1
bad "dladm: etherstub deletion failed: link busy: VNICs run over 'stub0' (vnic2)" delete-etherstub stub0
bad "dladm: invalid link name 'stub'$RULE" create-etherstub stub
bad "dladm: etherstub creation failed: object already exists" \
    create-etherstub vnic1
bad "dladm: the option -i can be used only with -s" show-vnic -i 1
bad "dladm: the option -i can be used only with -s" show-link -i 1
bad "dladm: invalid interval value '0'" show-link -s -i 0
bad "dladm: the option -s cannot be specified more than once" show-link -s -s
bad "dladm: -p requires -o" show-vnic -p
bad "dladm: \"-o all\" is invalid with -p" show-link -p -o all
bad "dladm: invalid field(s) specified" show-vnic -o link,zone
# each mode its fields, as illumos: FLAGS only with -P, STATE only without
bad "dladm: invalid field(s) specified" show-phys -P -o link,state
bad "dladm: invalid field(s) specified" show-phys -o link,flags
bad "dladm: invalid vnic name 'vnic9': object not found" show-vnic vnic9
bad "dladm: link vnic9 is not valid: object not found" show-link vnic9
bad "dladm: failed to show physical link vnic1: invalid argument" \
    show-phys vnic1
bad "dladm: warning: cannot set link property 'maxbw' on 'vnic1': minimum value for maxbw is 1200K" \
    set-linkprop -p maxbw=1000K vnic1
bad "dladm: warning: cannot set link property 'maxbw' on 'vnic1': invalid argument: 'fast' is not a rate (a number with K, M or G, M without one: 100M, 1.5G)" \
    set-linkprop -p maxbw=fast vnic1
bad "dladm: vnic creation over phys0 failed: invalid argument: '-5M' is not a rate (a number with K, M or G, M without one: 100M, 1.5G)" \
    create-vnic -l phys0 -p maxbw=-5M v0
bad "dladm: warning: cannot set link property 'maxbw' on 'vnic1': invalid argument: '1.0001K' is finer than one bit/s (a rate is a whole number of bits a second: 1.2M, 1.000001M)" \
    set-linkprop -p maxbw=1.0001K vnic1
bad "dladm: warning: cannot set link property 'maxbw' on 'vnic1': invalid argument: the maximum value for maxbw is 1000G" \
    set-linkprop -p maxbw=2000G vnic1
bad "dladm: property 'protection' specified more than once" \
    create-vnic -t -l phys0 -p protection=mac-nospoof,protection=restricted v0
bad "dladm: property 'maxbw' specified more than once" \
    create-vnic -t -l phys0 -p maxbw=10M -p maxbw=20M v0
bad "dladm: property 'maxbw' specified more than once" \
    set-linkprop -p maxbw=10M,priority=low,maxbw=20M vnic1
bad "dladm: property 'mtu' specified more than once" \
    set-linkprop -t -p mtu=1400 -p mtu=1300 phys0
bad "dladm: property 'maxbw' specified more than once" \
    reset-linkprop -p maxbw,maxbw vnic1
bad "dladm: warning: invalid link property 'zone'" set-linkprop -p zone=z vnic1
bad "dladm: warning: no value specified for 'priority'" \
    set-linkprop -p priority vnic1
bad "dladm: warning: link property 'protection' must be one of: mac-nospoof,restricted,ip-nospoof" \
    set-linkprop -p protection=dhcp-nospoof vnic1
bad "dladm: warning: link property 'mtu' must be one of: 68-9000" \
    set-linkprop -p mtu=9001 vnic1
bad "dladm: warning: link property 'cpus' must be one of: 0-4095" \
    set-linkprop -p cpus=one vnic1
bad "dladm: warning: link property 'cpus' must be one of: 0-4095" \
    set-linkprop -p cpus=4096 vnic1
bad "dladm: warning: link property 'cpus' must be one of: 0-4095" \
    set-linkprop -p cpus=0,1 vnic1
bad "dladm: warning: cannot set link property 'cpus' on 'vnic1': no fast-path worker of vswitchd is pinned to that CPU" \
    set-linkprop -p cpus=4095 vnic1
bad "dladm: warning: cannot set link properties 'maxbw,cpus' on 'vnic1': no fast-path worker of vswitchd is pinned to that CPU" \
    set-linkprop -p maxbw=10M,cpus=4095 vnic1
bad "dladm: vnic creation over phys0 failed: no fast-path worker of vswitchd is pinned to that CPU" \
    create-vnic -l phys0 -p cpus=4095 v0
bad "dladm: warning: cannot set link property 'cpus' on 'phys0': no fast-path worker of vswitchd is pinned to that CPU" \
    set-linkprop -p cpus=4095 phys0
bad "dladm: warning: link property 'cpus' must be one of: 0-4095" \
    set-linkprop -p cpus=x phys0
bad "dladm: warning: cannot set link property 'cpus' on 'stub2': read-only property" \
    set-linkprop -p cpus=0 stub2
IPS="dladm: warning: cannot set link property 'allowed-ips' on 'vnic1': invalid argument:"
bad "$IPS '10.0.0.1/24' has host bits set (an IPv4 network is written with its network address: 10.1.0.0/16)" \
    set-linkprop -p allowed-ips=10.0.0.1/24 vnic1
bad "$IPS '10.0.0.1' is given twice" \
    set-linkprop -p allowed-ips=10.0.0.1,10.0.0.1 vnic1
bad "$IPS '10.0.0.0/33' has an IPv4 prefix length out of range (1 to 32)" \
    set-linkprop -p allowed-ips=10.0.0.0/33 vnic1
bad "$IPS 'fe80::/64' is an IPv6 address with a prefix (IPv6 takes addresses only)" \
    set-linkprop -p allowed-ips=fe80::/64 vnic1
bad "dladm: vnic creation over phys0 failed: invalid argument: 'web' is not an IPv4 address or network, or an IPv6 address (10.1.0.5, 10.1.0.0/16, fe80::1)" \
    create-vnic -t -l phys0 -p allowed-ips=10.0.0.1,web v0
bad "dladm: warning: cannot set link property 'maxbw' on 'phys0': read-only property" \
    set-linkprop -p maxbw=100M phys0
bad "dladm: warning: cannot set link property 'mtu' on 'stub2': read-only property" \
    set-linkprop -p mtu=1500 stub2
bad "dladm: vnic creation over phys0 failed: mtu 9000 is larger than the mtu of phys0 (1500)" \
    create-vnic -l phys0 -p mtu=9000 v0
bad "dladm: warning: cannot set link property 'mtu' on 'vnic1': mtu 1501 is larger than the mtu of phys0 (1500)" \
    set-linkprop -p mtu=1501 vnic1
bad "dladm: invalid link name '$VETH_SW': the NIC is link phys0" \
    create-vnic -l "$VETH_SW" v0
bad "dladm: link property must be specified" set-linkprop vnic1
bad "dladm: link nolink0 is not valid: object not found" \
    set-linkprop -p priority=low nolink0
bad "dladm: warning: invalid link property 'foo'" reset-linkprop -p foo vnic1
bad "dladm: invalid link properties specified" \
    reset-linkprop -p priority=low vnic1
bad "dladm: invalid link property 'foo'" \
    show-linkprop -p foo vnic1
bad "dladm: rename operation failed: object already exists" \
    rename-link vnic1 vnic2
bad "dladm: rename operation failed: object not found" \
    rename-link vnic9 vnic8
bad "dladm: invalid link name '0bad'$RULE" rename-link vnic1 0bad
bad "dladm: vnic modification failed: MAC address is already in use" \
    modify-vnic -l phys0 -m 2:8:20:0:0:1 vnic2
bad "dladm: vnic modification failed: can't create persistent object on top of temporary object" \
    modify-vnic -l stub0 vnic1
bad "dladm: invalid VLAN identifier '5000': 0-4094 (0: none)" modify-vnic -v 5000 vnic1
bad "dladm: 'phys0' is not a vnic" modify-vnic -v 5 phys0

# Inactive records (deleted with -t).
bad "dladm: vnic creation over phys0 failed: object already exists" \
    create-vnic -l phys0 vnic3
bad "dladm: vnic creation over phys0 failed: object already exists" \
    create-vnic -t -l phys0 vnic3
bad "dladm: etherstub creation failed: object already exists" \
    create-etherstub stub1
bad "dladm: vnic creation over phys0 failed: MAC address is already in use" \
    create-vnic -l phys0 -m 2:8:20:0:0:3 v0
bad "dladm: vnic creation over stub1 failed: link is not active (deleted with -t)" \
    create-vnic -l stub1 v0
bad "dladm: vnic modification over stub1 failed: link is not active (deleted with -t)" \
    modify-vnic -l stub1 vnic1
bad "dladm: vnic modification failed: link is not active (deleted with -t)" \
    modify-vnic -v 5 vnic3
bad "dladm: link vnic3 is not valid: link is not active (deleted with -t)" \
    set-linkprop -p priority=low vnic3
bad "dladm: link vnic3 is not valid: link is not active (deleted with -t)" \
    reset-linkprop vnic3
bad "dladm: rename operation failed: link is not active (deleted with -t)" \
    rename-link vnic3 vnic8
bad "dladm: rename operation failed: link is not active (deleted with -t)" \
    rename-link stub1 stub8
bad "dladm: rename operation failed: object already exists" \
    rename-link vnic1 vnic3
bad "dladm: vnic deletion failed: object not found" delete-vnic -t vnic3
bad "dladm: etherstub deletion failed: object not found" delete-etherstub -t stub1
bad "dladm: etherstub deletion failed: link busy: VNIC records over 'stub2' (vnic5, not running: deleted with -t)" delete-etherstub stub2
bad "dladm: 'vnic3' is not an etherstub" delete-etherstub vnic3
bad "dladm: invalid vnic name 'vnic3': object not found" show-vnic vnic3
bad "dladm: invalid link name 'stub1': object not found" show-etherstub stub1
bad "dladm: unknown subcommand 'create-vlan'
usage: dladm <subcommand> <args> ...
$(dl help | sed -n '2,/^$/p' | sed '$d')" create-vlan
echo "$n invalid invocations"
[ "$n" -ge 40 ] || fail "only $n cases"
[ "$(dl show-linkprop -c -o link,property,value | ours)" = "$props_before" ] ||
    fail "a property changed"
[ "$(dl show-vnic -P -p -o link,over,vid,macaddress
     dl show-link -P -p -o link,class | ours)" = "$persistent_before" ] ||
    fail "the persistent configuration changed"

note "vswitchd refuses bad requests too (vswctl, no dladm checks)"
ctl vnic-create "9bad" phys0 2>&1 | grep -q "invalid link name" ||
    fail "vswitchd took a bad name"
ctl vnic-create xvm3_0 phys0 2>&1 | grep -q "invalid link name 'xvm3_0'$GUEST" ||
    fail "vswitchd took a guest's VNIC name"
ctl link-create -t xvm3_0 etherstub 2>&1 | grep -q "invalid link name 'xvm3_0'$GUEST" ||
    fail "vswitchd took a guest's name for an etherstub"
ctl vnic-create x0 phys0 vid=5000 2>&1 |
    grep -q "invalid VLAN identifier '5000'" || fail "vswitchd took VID 5000"
[ "$(snapshot)" = "$before" ] || fail "vswctl changed the VNICs"

note "vswitchd not running"
out=$(XVNET_RUNDIR="$TMP/none" "$DLADM" show-vnic 2>&1)
[ $? = 1 ] && [ "$out" = "dladm: cannot reach vswitchd at $TMP/none/vswitchd.sock: vswitchd is not running" ] ||
    fail "not running: '$out'"
echo PASS
