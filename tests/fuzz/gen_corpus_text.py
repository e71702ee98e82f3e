#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write the seed corpora of fuzz_domcfg and fuzz_vswconf
(tests/fuzz/corpus/domcfg/, tests/fuzz/corpus/vswconf/).

Each seed is one file in the parser's format: good files using every key
and value form, and files that break one rule each.  Run it again after
changing a format:  tests/fuzz/gen_corpus_text.py
"""
import os
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))

DOMCFG = {
    'full': '# web\nname = "web1"\ntype = "process"\nmemory = 256\n'
            'vcpus = 2\nuuid = "6f2c1a3e-0b1d-4c2e-9f00-0123456789ab"\n'
            'vif = [ "link=phys0,vlan=10,maxbw=100M,mac=auto",\n'
            '        "link=stub0,mac=2:8:20:aa:b:c,priority=medium",\n'
            '        "link=e1000g0,maxbw=1.5M,mac=random,priority=low" ]\n',
    'minimal': 'name = "a"\n',
    'semicolons': 'name = "b"; type = "kvm"\r\nvif = []\r\n',
    'maxbw_forms': 'name = "c"\nvif = [ "link=p0,maxbw=1200K", '
                   '"link=p1,maxbw=2", "link=p2,maxbw=1000G", '
                   '"link=p3,maxbw=1234.567k" ]\n',
    'padded_mac': 'name = "d"\nvif = [ "link=p0,mac=02:08:20:0a:0b:0c" ]\n',
    'vlan_limits': 'name = "e"\nvif = [ "link=p0,vlan=1", '
                   '"link=p1,vlan=4094" ]\n',
    'bad_vlan': 'name = "f"\nvif = [ "link=p0,vlan=4095" ]\n',
    'bad_maxbw': 'name = "g"\nvif = [ "link=p0,maxbw=1.1M" ]\n',
    'bad_mac': 'name = "h"\nvif = [ "link=p0,mac=01:02:03:04:05:0600" ]\n',
    'bad_link': 'name = "i"\nvif = [ "link=p01" ]\n',
    'bad_priority': 'name = "j"\nvif = [ "link=p0,priority=urgent" ]\n',
    'dup_key': 'name = "k"\nname = "k"\n',
    'unterminated': 'name = "l\nvif = [ "link=p0"\n',
    'many_vifs': 'name = "m"\nvif = [ ' +
                 ', '.join('"link=p%d"' % i for i in range(17)) + ' ]\n',
    'limits': 'name = "n"\nmemory = 16384\nvcpus = 128\n',
    'empty': '',
    'init_shell': 'name = "o"\nvif = [ "link=p0" ]\n'
                  'init = "ip addr add 10.0.0.5/24 dev eth0; exec sh -i"\n',
    'init_exec': 'name = "p"\ninit = [ "/etc/xvnet/p.rc", "start",\n'
                 '         "", "a\tb" ]\n',
    'bad_init': 'name = "q"\ninit = [ "sh", "-c" ]\n',
    'bad_init_ctl': 'name = "r"\ninit = "echo \x1b[2J"\n',
    'xl_spellings': 'name = "s"\nvif = [ "bridge=p0,mac=00:16:3e:0:0:1,'
                    'rate=10Mb/s,vifname=web0",\n'
                    '        "bridge=p0,rate=1MB/s@20ms",\n'
                    '        "bridge=p0,rate=150KB/s@1s,'
                    'protection=mac-nospoof ip-nospoof,'
                    'allowed-ips=10.0.0.1 10.1.0.0/16" ]\n',
    'vnic_borrowed': 'name = "t"\nvif = [ "vnic=vnic5", "link=p0" ]\n',
    'bad_rate': 'name = "u"\nvif = [ "bridge=p0,rate=1Mb/s@0us" ]\n',
    'bad_vnic_alone': 'name = "v"\nvif = [ "vnic=vnic5,mac=auto" ]\n',
    'dup_vifname': 'name = "w"\nvif = [ "link=p0,vifname=a0", '
                   '"vnic=a0" ]\n',
    'queues': 'name = "x"\nvif = [ "link=p0,queues=2", '
              '"vnic=vnic5,queues=8" ]\n',
    'bad_queues': 'name = "y"\nvif = [ "link=p0,queues=9" ]\n',
}

VSWCONF = {
    'state': 'link phys0 class=phys devargs=net_af_packet0,iface=veth0\n'
             'link stub0 class=etherstub\n'
             'vnic vnic0 link=phys0 mac=2:8:20:1:2:3 mac-type=fixed vid=10 '
             'maxbw=100M priority=high protection=mac-nospoof attach=tap '
             'tap=vnic0\n',
    'all_keys': 'vnic v1 link=stub0 mac=2:8:20:a:b:c mac-type=random vid=0 '
                'maxbw=1234.567K priority=low '
                'protection=mac-nospoof,restricted,ip-nospoof attach=none '
                'mtu=9000 allowed-ips=10.0.0.1,10.1.0.0/16,fe80::1\n',
    'comments': '# boot config\n\n   \nlink stub0 class=etherstub # x\n',
    'padded_mac': 'vnic v2 link=phys0 mac=02:08:20:0a:0b:0c\n',
    'bad_vid': 'vnic v3 link=phys0 vid=4095\n',
    'bad_maxbw': 'vnic v4 link=phys0 maxbw=0\n',
    'bad_mtu': 'vnic v5 link=phys0 mtu=67\n',
    'bad_ips': 'vnic v6 link=phys0 allowed-ips=10.0.0.1/8\n',
    'bad_prot': 'vnic v7 link=phys0 protection=none,\n',
    'no_eq': 'vnic v8 link=phys0 priority\n',
    'no_link': 'vnic v9 vid=1\n',
    'no_devargs': 'link phys1 class=phys\n',
    'unknown': 'bridge b0 x=y\nvnic v10 link=p0 colour=red\n',
    'ips_twice': 'vnic v11 link=p0 allowed-ips=10.0.0.1 allowed-ips=none\n',
    'link_twice': 'vnic v12 link=phys10 link=p0 tap=tap10 tap=t0\n',
}


def write(name, seeds):
    out = os.path.join(HERE, 'corpus', name)
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    for seed, text in seeds.items():
        with open(os.path.join(out, seed), 'w') as f:
            f.write(text)


write('domcfg', DOMCFG)
write('vswconf', VSWCONF)
