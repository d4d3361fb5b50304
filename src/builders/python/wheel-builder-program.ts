// The Python program a build container runs to turn every source distribution into a wheel at a
// path that is the same in every build: pip itself unpacks sdists into /tmp/pip-req-build-<random>
// and builds them against build requirements in /tmp/pip-build-env-<random>, and both paths land in
// compiled extensions (DWARF comp_dir, include directories, __FILE__), so two cold builds differ.
// Here each sdist is unpacked into <work>/src/<archive stem>/ and built with the PEP 517 hooks,
// isolated as pip isolates (system site-packages hidden), against build requirements installed
// into <work>/env/<archive stem>/; local project directories build where they are (under /build)
// with an environment of their own. Every path is a function of the inputs only.
// A cross compile (crossEnv) runs the build hooks, and only them, with the target's compiler and
// sysconfig data: pip, installing build requirements, keeps choosing what runs here. A wheel whose
// platform is neither the target's nor `any` fails the build (a backend that ignores that
// environment compiled for this machine): the task is then built emulated.
// A build that fails prints `lambda-pack: could not build <archive name | project dir> into a
// wheel`, which names the requirement the failure belongs to (the hybrid fallback, plan/hybrid.ts).
// The hybrid: a container of the target builds those requirements alone ("record": it lists what
// it built in <dist>/lambda-pack-built.json); the cross install finds that directory at
// "emulated", skips building what it lists and takes its wheels instead, so one pip install of
// every wheel follows as before.
//
// argv: <dist dir> <work dir> <options JSON>
//   dist: pip download's output; its sdists are replaced by wheels built from them.
//   options: {"local": [project dirs], "sdists": [archives], "crossEnv": {…}, "emulated": dir,
//     "record": bool, "indexUrl", "extraIndexUrls", "findLinks", "noIndex", "trustedHosts"}
//     sdists: archives elsewhere (a wheelhouse) also built into dist;
//     index settings for installing build requirements; ${VAR} in them is expanded from the
//     environment here (never on the host, so credentials stay in the container's environment).
// Writes <work>/installs.txt: one name==version line per wheel in dist, for the install step.
export const WHEEL_BUILDER_PROGRAM = String.raw`
import json, os, re, shutil, subprocess, sys, tarfile, zipfile

SDIST = re.compile(r'^(.+?)\.(tar\.gz|tgz|tar\.bz2|tar\.xz|zip)$')
HOOK = r'''
import importlib, json, os, sys
hook, backend, backend_path, wheel_dir, out = sys.argv[1:6]
for entry in reversed(json.loads(backend_path)):
    sys.path.insert(0, os.path.abspath(entry))
module, _, attr = backend.partition(':')
obj = importlib.import_module(module.strip())
for part in filter(None, attr.strip().split('.')):
    obj = getattr(obj, part)
if hook == 'requires':
    result = getattr(obj, 'get_requires_for_build_wheel', lambda config_settings=None: [])({})
else:
    result = obj.build_wheel(wheel_dir, {})
with open(out, 'w') as f:
    json.dump(result, f)
'''
SITE = '''import site, sys
system = set(site.getsitepackages()) | {site.getusersitepackages()}
sys.path[:] = [p for p in sys.path if p not in system]
site.addsitedir(%r)
'''

def fail(message):
    sys.stderr.write('lambda-pack: %s\n' % message)
    sys.exit(1)

def load_toml(path):
    try:
        import tomllib
    except ImportError:
        from pip._vendor import tomli as tomllib
    with open(path, 'rb') as f:
        return tomllib.load(f)

def build_system(root):
    path = os.path.join(root, 'pyproject.toml')
    system = load_toml(path).get('build-system') if os.path.exists(path) else None
    if system is None:
        # PEP 517's fallback for a project without [build-system], as pip does it.
        return ['setuptools>=40.8.0', 'wheel'], 'setuptools.build_meta:__legacy__', []
    return system.get('requires', []), system.get('build-backend', 'setuptools.build_meta:__legacy__'), system.get('backend-path', [])

def pip_env(options):
    env = dict(os.environ)
    expand = os.path.expandvars
    if options.get('indexUrl'):
        env['PIP_INDEX_URL'] = expand(options['indexUrl'])
    for key, name in (('extraIndexUrls', 'PIP_EXTRA_INDEX_URL'), ('findLinks', 'PIP_FIND_LINKS'), ('trustedHosts', 'PIP_TRUSTED_HOST')):
        values = [expand(v) for v in options.get(key, [])]
        if values:
            env[name] = ' '.join(([env[name]] if env.get(name) else []) + values)
    if 'noIndex' in options:
        env['PIP_NO_INDEX'] = '1' if options['noIndex'] else '0'
    return env

def run(what, argv, **kw):
    sys.stderr.write('lambda-pack: %s\n' % what)
    sys.stderr.flush()
    status = subprocess.run(argv, **kw).returncode
    if status != 0:
        fail('%s failed (exit %d)' % (what, status))

def install(env_dir, requires, options, name):
    if requires:
        run('installing the build requirements of %s: %s' % (name, ', '.join(requires)),
            [sys.executable, '-m', 'pip', 'install', '--target', env_dir, '--no-warn-script-location',
             '--disable-pip-version-check', '--progress-bar', 'off', '--', *requires], env=pip_env(options))

def wheels(dist):
    return set(n for n in os.listdir(dist) if n.endswith('.whl'))

def check_platform(built, target, name):
    for wheel in sorted(built):
        platforms = wheel[:-4].split('-')[-1].split('.')
        if not all(p in ('any', target) for p in platforms):
            fail('cross-compiling %s gave %s, a wheel for another platform than %s: its build does not honour the cross compiler' % (name, wheel, target))

def build(root, env_dir, dist, options, name):
    requires, backend, backend_path = build_system(root)
    cross = options.get('crossEnv')
    site_dir = os.path.join(env_dir, 'lambda-pack-site')
    os.makedirs(site_dir)
    with open(os.path.join(site_dir, 'sitecustomize.py'), 'w') as f:
        f.write(SITE % env_dir)
    install(env_dir, requires, options, name)
    hook_env = dict(os.environ, **(cross or {}))
    hook_env.update(PYTHONPATH=site_dir, PYTHONNOUSERSITE='1',
                    PATH=os.path.join(env_dir, 'bin') + os.pathsep + os.environ.get('PATH', ''))
    out = os.path.join(env_dir, 'lambda-pack-hook.json')
    def hook(which, what):
        run(what, [sys.executable, '-c', HOOK, which, backend, json.dumps(backend_path), dist, out], cwd=root, env=hook_env)
        with open(out) as f:
            return json.load(f)
    install(env_dir, hook('requires', 'asking %s what else it needs to build' % name), options, name)
    before = wheels(dist)
    hook('wheel', 'building %s in %s' % (name, root))
    if cross:
        check_platform(wheels(dist) - before, cross['_PYTHON_HOST_PLATFORM'].replace('-', '_'), name)

def safe(member):
    return not member.startswith('/') and '..' not in member.replace('\\', '/').split('/')

def unpack(archive, target):
    os.makedirs(target)
    if archive.endswith('.zip'):
        with zipfile.ZipFile(archive) as z:
            for member in z.namelist():
                if not safe(member):
                    fail('%s has a member outside its directory: %s' % (archive, member))
            z.extractall(target)
    else:
        with tarfile.open(archive) as t:
            for m in t.getmembers():
                ok = safe(m.name) and (m.isfile() or m.isdir() or m.issym() or m.islnk())
                if m.issym():
                    ok = ok and safe(os.path.normpath(os.path.join(os.path.dirname(m.name), m.linkname)))
                if m.islnk():
                    ok = ok and safe(m.linkname)
                if not ok:
                    fail('%s has a member outside its directory, or not a file, directory or link: %s' % (archive, m.name))
            t.extractall(target)
    entries = os.listdir(target)
    only = os.path.join(target, entries[0]) if len(entries) == 1 else target
    return only if os.path.isdir(only) else target

def attributed(what, step):
    try:
        step()
    except SystemExit:
        sys.stderr.write('lambda-pack: could not build %s into a wheel\n' % what)
        sys.stderr.flush()
        raise

def build_sdist(archive, work, dist, options):
    name = os.path.basename(archive)
    stem = SDIST.match(name).group(1)
    def step():
        root = unpack(archive, os.path.join(work, 'src', stem))
        build(root, os.path.join(work, 'env', stem), dist, options, name)
    attributed(name, step)

def build_local(root, work, dist, options):
    # Named by its path, not its position: built alone (a hybrid's part) it gets the same env path.
    env_dir = os.path.join(work, 'env', 'local-' + re.sub(r'[^A-Za-z0-9]+', '-', root).strip('-'))
    attributed(root, lambda: build(os.path.abspath(root), env_dir, dist, options, root))

BUILT = 'lambda-pack-built.json'

def emulated_parts(options):
    where = options.get('emulated')
    listed = os.path.join(where, BUILT) if where else None
    if not listed or not os.path.exists(listed):
        return None, set()
    with open(listed) as f:
        return where, set(json.load(f))

def main(dist, work, options):
    options = json.loads(options)
    os.makedirs(work, exist_ok=True)
    os.makedirs(dist, exist_ok=True)
    emulated, skip = emulated_parts(options)
    built = []
    for archive in options.get('sdists', []):
        if os.path.basename(archive) not in skip:
            build_sdist(archive, work, dist, options)
            built.append(os.path.basename(archive))
    for name in sorted(os.listdir(dist)):
        if SDIST.match(name):
            if name not in skip:
                build_sdist(os.path.join(dist, name), work, dist, options)
            os.remove(os.path.join(dist, name))
    for root in options.get('local', []):
        if root not in skip:
            build_local(root, work, dist, options)
            built.append(root)
    if emulated:
        for name in sorted(os.listdir(emulated)):
            if name.endswith('.whl'):
                shutil.copyfile(os.path.join(emulated, name), os.path.join(dist, name))
    if options.get('record'):
        _, before = emulated_parts({'emulated': dist})
        with open(os.path.join(dist, BUILT), 'w') as f:
            json.dump(sorted(before | set(built)), f)
    seen = {}
    for name in sorted(os.listdir(dist)):
        if name.endswith('.whl'):
            project, version = name.split('-')[:2]
            seen.setdefault(re.sub(r'[-_.]+', '-', project).lower(), '%s==%s' % (project, version))
    with open(os.path.join(work, 'installs.txt'), 'w') as f:
        f.write(''.join(line + '\n' for line in seen.values()))

main(*sys.argv[1:4])
`;
