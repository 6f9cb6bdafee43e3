# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_skyflo_global_optspecs
    string join \n kubeconfig= context= n/namespace= o/output= q/quiet v/verbose color= h/help V/version
end

function __fish_skyflo_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_skyflo_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_skyflo_using_subcommand
    set -l cmd (__fish_skyflo_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c skyflo -n "__fish_skyflo_needs_command" -l kubeconfig -d 'Path to the kubeconfig file [env: KUBECONFIG; default: ~/.kube/config, or the in-cluster config inside a pod]' -r -F
complete -c skyflo -n "__fish_skyflo_needs_command" -l context -d 'The kubeconfig context to use [env: SKYFLO_CONTEXT]' -r
complete -c skyflo -n "__fish_skyflo_needs_command" -s n -l namespace -d 'Namespace to install into and read from [env: SKYFLO_NAMESPACE; default: skyflo-ai]' -r
complete -c skyflo -n "__fish_skyflo_needs_command" -s o -l output -d 'Output format [env: SKYFLO_OUTPUT; default: table]' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c skyflo -n "__fish_skyflo_needs_command" -l color -d 'When to use colours [default: auto; NO_COLOR turns them off]' -r -f -a "auto\t''
always\t''
never\t''"
complete -c skyflo -n "__fish_skyflo_needs_command" -s q -l quiet -d 'Print only errors and the final result'
complete -c skyflo -n "__fish_skyflo_needs_command" -s v -l verbose -d 'Print more detail (API calls, per-object decisions)'
complete -c skyflo -n "__fish_skyflo_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c skyflo -n "__fish_skyflo_needs_command" -s V -l version -d 'Print version'
complete -c skyflo -n "__fish_skyflo_needs_command" -f -a "init" -d 'Write a skyflo.yaml by answering a few questions'
complete -c skyflo -n "__fish_skyflo_needs_command" -f -a "install" -d 'Install Skyflo, or converge an existing installation to the spec'
complete -c skyflo -n "__fish_skyflo_needs_command" -f -a "upgrade" -d 'Change an existing installation to match FILE'
complete -c skyflo -n "__fish_skyflo_needs_command" -f -a "status" -d 'Show each component\'s health and why it is not ready'
complete -c skyflo -n "__fish_skyflo_needs_command" -f -a "uninstall" -d 'Remove the installation; keeps its data unless --purge'
complete -c skyflo -n "__fish_skyflo_needs_command" -f -a "adopt" -d 'Take over an installation made by upstream\'s install.sh or Helm chart'
complete -c skyflo -n "__fish_skyflo_needs_command" -f -a "check" -d 'Check that an install would work here'
complete -c skyflo -n "__fish_skyflo_needs_command" -f -a "history" -d 'List the installation\'s revisions'
complete -c skyflo -n "__fish_skyflo_needs_command" -f -a "rollback" -d 'Return to the spec of an earlier revision (default: the one before)'
complete -c skyflo -n "__fish_skyflo_needs_command" -f -a "template" -d 'Print the Kubernetes objects a spec renders to; touches no cluster'
complete -c skyflo -n "__fish_skyflo_needs_command" -f -a "images" -d 'List every image a spec uses, for mirroring into another registry; touches no cluster'
complete -c skyflo -n "__fish_skyflo_needs_command" -f -a "support-bundle" -d 'Write one redacted .tar.gz a maintainer can read: status, checks, history, objects, events, pods, logs and nodes'
complete -c skyflo -n "__fish_skyflo_needs_command" -f -a "logs" -d 'Show the logs of every pod of the chosen components, interleaved, each line prefixed with its component and pod'
complete -c skyflo -n "__fish_skyflo_needs_command" -f -a "backup" -d 'Back up the in-cluster PostgreSQL to a local file (pg_dump custom format)'
complete -c skyflo -n "__fish_skyflo_needs_command" -f -a "restore" -d 'Restore a backup into the in-cluster PostgreSQL'
complete -c skyflo -n "__fish_skyflo_needs_command" -f -a "verify" -d 'Prove that the installation works end to end, through port-forwards'
complete -c skyflo -n "__fish_skyflo_needs_command" -f -a "dashboard" -d 'Open the UI in the browser through a port-forward made with your own credentials'
complete -c skyflo -n "__fish_skyflo_needs_command" -f -a "admin" -d 'Accounts of the installation: create the first admin'
complete -c skyflo -n "__fish_skyflo_needs_command" -f -a "validate" -d 'Check a spec file and print every problem in it'
complete -c skyflo -n "__fish_skyflo_needs_command" -f -a "completions" -d 'Print shell completions for SHELL to stdout'
complete -c skyflo -n "__fish_skyflo_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c skyflo -n "__fish_skyflo_using_subcommand init" -s f -l file -d 'The file to write' -r -F
complete -c skyflo -n "__fish_skyflo_using_subcommand init" -l name -d 'metadata.name of the SkyfloAI' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand init" -l model -d 'The LLM as provider/model, e.g. openai/gpt-4o, gemini/gemini-2.5-pro, ollama/llama3.1' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand init" -l llm-host -d 'A self-hosted LLM endpoint, e.g. http://ollama:11434' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand init" -l api-key-secret -d 'Use this existing Secret for the API key (its keys become engine env vars)' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand init" -l postgres -d 'Where PostgreSQL runs [default: in-cluster; external when --postgres-host is given]' -r -f -a "in-cluster\t''
external\t''"
complete -c skyflo -n "__fish_skyflo_using_subcommand init" -l postgres-host -r
complete -c skyflo -n "__fish_skyflo_using_subcommand init" -l postgres-port -r
complete -c skyflo -n "__fish_skyflo_using_subcommand init" -l postgres-database -r
complete -c skyflo -n "__fish_skyflo_using_subcommand init" -l postgres-secret -d 'Secret with POSTGRES_USER and POSTGRES_PASSWORD for an external PostgreSQL' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand init" -l redis -d 'Where Redis runs [default: in-cluster; external when --redis-host is given]' -r -f -a "in-cluster\t''
external\t''"
complete -c skyflo -n "__fish_skyflo_using_subcommand init" -l redis-host -r
complete -c skyflo -n "__fish_skyflo_using_subcommand init" -l redis-port -r
complete -c skyflo -n "__fish_skyflo_using_subcommand init" -l redis-secret -d 'Secret with REDIS_PASSWORD for an external Redis' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand init" -l ui-service -d 'How the UI is exposed [default: ClusterIP; open it with `skyflo dashboard`]' -r -f -a "NodePort\t''
ClusterIP\t''
LoadBalancer\t''"
complete -c skyflo -n "__fish_skyflo_using_subcommand init" -l ui-node-port -r
complete -c skyflo -n "__fish_skyflo_using_subcommand init" -l mcp-service -d 'How MCP is exposed [default: ClusterIP]' -r -f -a "NodePort\t''
ClusterIP\t''
LoadBalancer\t''"
complete -c skyflo -n "__fish_skyflo_using_subcommand init" -l mcp-node-port -r
complete -c skyflo -n "__fish_skyflo_using_subcommand init" -l access-level -d 'MCP\'s access to the cluster [default: cluster-admin]' -r -f -a "cluster-admin\t''
read-only\t''
none\t''"
complete -c skyflo -n "__fish_skyflo_using_subcommand init" -l kubeconfig-secret -d 'A Secret whose key `kubeconfig` MCP uses instead of in-cluster credentials' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand init" -l kubeconfig -d 'Path to the kubeconfig file [env: KUBECONFIG; default: ~/.kube/config, or the in-cluster config inside a pod]' -r -F
complete -c skyflo -n "__fish_skyflo_using_subcommand init" -l context -d 'The kubeconfig context to use [env: SKYFLO_CONTEXT]' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand init" -s n -l namespace -d 'Namespace to install into and read from [env: SKYFLO_NAMESPACE; default: skyflo-ai]' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand init" -s o -l output -d 'Output format [env: SKYFLO_OUTPUT; default: table]' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c skyflo -n "__fish_skyflo_using_subcommand init" -l color -d 'When to use colours [default: auto; NO_COLOR turns them off]' -r -f -a "auto\t''
always\t''
never\t''"
complete -c skyflo -n "__fish_skyflo_using_subcommand init" -l force -d 'Overwrite FILE if it exists'
complete -c skyflo -n "__fish_skyflo_using_subcommand init" -l non-interactive -d 'Ask nothing: use the flags and the defaults'
complete -c skyflo -n "__fish_skyflo_using_subcommand init" -l api-key-stdin -d 'Read the API key from standard input and store it in Secret <name>-llm-credentials'
complete -c skyflo -n "__fish_skyflo_using_subcommand init" -s q -l quiet -d 'Print only errors and the final result'
complete -c skyflo -n "__fish_skyflo_using_subcommand init" -s v -l verbose -d 'Print more detail (API calls, per-object decisions)'
complete -c skyflo -n "__fish_skyflo_using_subcommand init" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c skyflo -n "__fish_skyflo_using_subcommand install" -s f -l file -d 'The SkyfloAI spec file; repeat it for overlays, later files win (mappings merge, lists and values replace); `-` reads standard input [default: the embedded default spec]' -r -F
complete -c skyflo -n "__fish_skyflo_using_subcommand install" -l set -d 'One field over the files, typed as in the file, e.g. engine.replicas=3 (repeatable)' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand install" -l set-string -d 'Like --set, but the value is always a string, e.g. engine.llm.model=openai/gpt-4o' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand install" -l version -d 'The Skyflo release for every Skyflo image (UI, proxy, engine, MCP), e.g. v0.7.1; overrides spec.version. Images pinned by digest, PostgreSQL and Redis stay as they are' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand install" -l registry -d 'Pull every image (PostgreSQL, Redis and init containers too) through this registry, e.g. registry.example.com/mirror; overrides spec.imageRegistry' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand install" -l timeout -d 'How long to wait for every component to be ready (e.g. 90s, 5m) [env: SKYFLO_TIMEOUT; default: 5m]' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand install" -l admin-email -d 'Once installed, create the first admin with this email (as `skyflo admin create --email`; its generated password is kept in Secret <name>-admin)' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand install" -l kubeconfig -d 'Path to the kubeconfig file [env: KUBECONFIG; default: ~/.kube/config, or the in-cluster config inside a pod]' -r -F
complete -c skyflo -n "__fish_skyflo_using_subcommand install" -l context -d 'The kubeconfig context to use [env: SKYFLO_CONTEXT]' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand install" -s n -l namespace -d 'Namespace to install into and read from [env: SKYFLO_NAMESPACE; default: skyflo-ai]' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand install" -s o -l output -d 'Output format [env: SKYFLO_OUTPUT; default: table]' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c skyflo -n "__fish_skyflo_using_subcommand install" -l color -d 'When to use colours [default: auto; NO_COLOR turns them off]' -r -f -a "auto\t''
always\t''
never\t''"
complete -c skyflo -n "__fish_skyflo_using_subcommand install" -l no-wait -d 'Apply and return without waiting for readiness'
complete -c skyflo -n "__fish_skyflo_using_subcommand install" -l dry-run -d 'Show the plan and stop; nothing is written'
complete -c skyflo -n "__fish_skyflo_using_subcommand install" -l atomic -d 'If the new revision does not become ready, return to the previous one'
complete -c skyflo -n "__fish_skyflo_using_subcommand install" -l skip-checks -d 'Do not run the pre-flight checks of `skyflo check` first'
complete -c skyflo -n "__fish_skyflo_using_subcommand install" -l offline -d 'Run the pre-flight checks without asking the LLM provider (no internet here)'
complete -c skyflo -n "__fish_skyflo_using_subcommand install" -s q -l quiet -d 'Print only errors and the final result'
complete -c skyflo -n "__fish_skyflo_using_subcommand install" -s v -l verbose -d 'Print more detail (API calls, per-object decisions)'
complete -c skyflo -n "__fish_skyflo_using_subcommand install" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c skyflo -n "__fish_skyflo_using_subcommand upgrade" -s f -l file -d 'The SkyfloAI spec file; repeat it for overlays, later files win (mappings merge, lists and values replace); `-` reads standard input [default: the embedded default spec]' -r -F
complete -c skyflo -n "__fish_skyflo_using_subcommand upgrade" -l set -d 'One field over the files, typed as in the file, e.g. engine.replicas=3 (repeatable)' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand upgrade" -l set-string -d 'Like --set, but the value is always a string, e.g. engine.llm.model=openai/gpt-4o' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand upgrade" -l name -d 'The SkyfloAI name (metadata.name of the spec) [default: the namespace\'s only skyflo installation, such as an adopted Helm release\'s `<release>-skyflo`; else skyflo]' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand upgrade" -l version -d 'The Skyflo release for every Skyflo image (UI, proxy, engine, MCP), e.g. v0.7.1; overrides spec.version. Images pinned by digest, PostgreSQL and Redis stay as they are' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand upgrade" -l registry -d 'Pull every image (PostgreSQL, Redis and init containers too) through this registry, e.g. registry.example.com/mirror; overrides spec.imageRegistry' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand upgrade" -l timeout -d 'How long to wait for every component to be ready (e.g. 90s, 5m) [env: SKYFLO_TIMEOUT; default: 5m]' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand upgrade" -l kubeconfig -d 'Path to the kubeconfig file [env: KUBECONFIG; default: ~/.kube/config, or the in-cluster config inside a pod]' -r -F
complete -c skyflo -n "__fish_skyflo_using_subcommand upgrade" -l context -d 'The kubeconfig context to use [env: SKYFLO_CONTEXT]' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand upgrade" -s n -l namespace -d 'Namespace to install into and read from [env: SKYFLO_NAMESPACE; default: skyflo-ai]' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand upgrade" -s o -l output -d 'Output format [env: SKYFLO_OUTPUT; default: table]' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c skyflo -n "__fish_skyflo_using_subcommand upgrade" -l color -d 'When to use colours [default: auto; NO_COLOR turns them off]' -r -f -a "auto\t''
always\t''
never\t''"
complete -c skyflo -n "__fish_skyflo_using_subcommand upgrade" -l no-wait -d 'Apply and return without waiting for readiness'
complete -c skyflo -n "__fish_skyflo_using_subcommand upgrade" -l diff -d 'Show the plan (with changed fields; Secret values redacted) and stop. Exit 0 when nothing would change, 6 when changes are pending'
complete -c skyflo -n "__fish_skyflo_using_subcommand upgrade" -l atomic -d 'If the new revision does not become ready, roll back to the previous one (restoring the database backup taken before an engine image change)'
complete -c skyflo -n "__fish_skyflo_using_subcommand upgrade" -l no-backup -d 'Do not back up PostgreSQL before an engine image change'
complete -c skyflo -n "__fish_skyflo_using_subcommand upgrade" -s q -l quiet -d 'Print only errors and the final result'
complete -c skyflo -n "__fish_skyflo_using_subcommand upgrade" -s v -l verbose -d 'Print more detail (API calls, per-object decisions)'
complete -c skyflo -n "__fish_skyflo_using_subcommand upgrade" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c skyflo -n "__fish_skyflo_using_subcommand status" -l name -d 'The SkyfloAI name (metadata.name of the spec) [default: the namespace\'s only skyflo installation, such as an adopted Helm release\'s `<release>-skyflo`; else skyflo]' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand status" -l kubeconfig -d 'Path to the kubeconfig file [env: KUBECONFIG; default: ~/.kube/config, or the in-cluster config inside a pod]' -r -F
complete -c skyflo -n "__fish_skyflo_using_subcommand status" -l context -d 'The kubeconfig context to use [env: SKYFLO_CONTEXT]' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand status" -s n -l namespace -d 'Namespace to install into and read from [env: SKYFLO_NAMESPACE; default: skyflo-ai]' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand status" -s o -l output -d 'Output format [env: SKYFLO_OUTPUT; default: table]' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c skyflo -n "__fish_skyflo_using_subcommand status" -l color -d 'When to use colours [default: auto; NO_COLOR turns them off]' -r -f -a "auto\t''
always\t''
never\t''"
complete -c skyflo -n "__fish_skyflo_using_subcommand status" -s w -l watch -d 'Keep running and redraw whenever something changes (watches, not polling)'
complete -c skyflo -n "__fish_skyflo_using_subcommand status" -s q -l quiet -d 'Print only errors and the final result'
complete -c skyflo -n "__fish_skyflo_using_subcommand status" -s v -l verbose -d 'Print more detail (API calls, per-object decisions)'
complete -c skyflo -n "__fish_skyflo_using_subcommand status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c skyflo -n "__fish_skyflo_using_subcommand uninstall" -l name -d 'The SkyfloAI name (metadata.name of the spec) [default: the namespace\'s only skyflo installation, such as an adopted Helm release\'s `<release>-skyflo`; else skyflo]' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand uninstall" -l timeout -d 'How long to wait for every component to be ready (e.g. 90s, 5m) [env: SKYFLO_TIMEOUT; default: 5m]' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand uninstall" -l kubeconfig -d 'Path to the kubeconfig file [env: KUBECONFIG; default: ~/.kube/config, or the in-cluster config inside a pod]' -r -F
complete -c skyflo -n "__fish_skyflo_using_subcommand uninstall" -l context -d 'The kubeconfig context to use [env: SKYFLO_CONTEXT]' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand uninstall" -s n -l namespace -d 'Namespace to install into and read from [env: SKYFLO_NAMESPACE; default: skyflo-ai]' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand uninstall" -s o -l output -d 'Output format [env: SKYFLO_OUTPUT; default: table]' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c skyflo -n "__fish_skyflo_using_subcommand uninstall" -l color -d 'When to use colours [default: auto; NO_COLOR turns them off]' -r -f -a "auto\t''
always\t''
never\t''"
complete -c skyflo -n "__fish_skyflo_using_subcommand uninstall" -l no-wait -d 'Apply and return without waiting for readiness'
complete -c skyflo -n "__fish_skyflo_using_subcommand uninstall" -s y -l yes -d 'Do not ask for confirmation'
complete -c skyflo -n "__fish_skyflo_using_subcommand uninstall" -l purge -d 'Also delete the data volumes and the generated Secrets (passwords); the namespace too if skyflo created it and nothing of anyone else is in it'
complete -c skyflo -n "__fish_skyflo_using_subcommand uninstall" -s q -l quiet -d 'Print only errors and the final result'
complete -c skyflo -n "__fish_skyflo_using_subcommand uninstall" -s v -l verbose -d 'Print more detail (API calls, per-object decisions)'
complete -c skyflo -n "__fish_skyflo_using_subcommand uninstall" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c skyflo -n "__fish_skyflo_using_subcommand adopt" -l release -d 'The Helm release to adopt when the namespace holds several' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand adopt" -l write -d 'Where to write the SkyfloAI file (never overwrites a different file)' -r -F
complete -c skyflo -n "__fish_skyflo_using_subcommand adopt" -l timeout -d 'How long to wait for every component to be ready (e.g. 90s, 5m) [env: SKYFLO_TIMEOUT; default: 5m]' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand adopt" -l kubeconfig -d 'Path to the kubeconfig file [env: KUBECONFIG; default: ~/.kube/config, or the in-cluster config inside a pod]' -r -F
complete -c skyflo -n "__fish_skyflo_using_subcommand adopt" -l context -d 'The kubeconfig context to use [env: SKYFLO_CONTEXT]' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand adopt" -s n -l namespace -d 'Namespace to install into and read from [env: SKYFLO_NAMESPACE; default: skyflo-ai]' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand adopt" -s o -l output -d 'Output format [env: SKYFLO_OUTPUT; default: table]' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c skyflo -n "__fish_skyflo_using_subcommand adopt" -l color -d 'When to use colours [default: auto; NO_COLOR turns them off]' -r -f -a "auto\t''
always\t''
never\t''"
complete -c skyflo -n "__fish_skyflo_using_subcommand adopt" -l dry-run -d 'Show the plan only: nothing is written, neither the file nor the cluster'
complete -c skyflo -n "__fish_skyflo_using_subcommand adopt" -s y -l yes -d 'Do not ask for confirmation'
complete -c skyflo -n "__fish_skyflo_using_subcommand adopt" -l no-wait -d 'Apply and return without waiting for readiness'
complete -c skyflo -n "__fish_skyflo_using_subcommand adopt" -s q -l quiet -d 'Print only errors and the final result'
complete -c skyflo -n "__fish_skyflo_using_subcommand adopt" -s v -l verbose -d 'Print more detail (API calls, per-object decisions)'
complete -c skyflo -n "__fish_skyflo_using_subcommand adopt" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c skyflo -n "__fish_skyflo_using_subcommand check" -s f -l file -d 'The SkyfloAI spec file; repeat it for overlays, later files win (mappings merge, lists and values replace); `-` reads standard input [default: the embedded default spec]' -r -F
complete -c skyflo -n "__fish_skyflo_using_subcommand check" -l set -d 'One field over the files, typed as in the file, e.g. engine.replicas=3 (repeatable)' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand check" -l set-string -d 'Like --set, but the value is always a string, e.g. engine.llm.model=openai/gpt-4o' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand check" -l kubeconfig -d 'Path to the kubeconfig file [env: KUBECONFIG; default: ~/.kube/config, or the in-cluster config inside a pod]' -r -F
complete -c skyflo -n "__fish_skyflo_using_subcommand check" -l context -d 'The kubeconfig context to use [env: SKYFLO_CONTEXT]' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand check" -s n -l namespace -d 'Namespace to install into and read from [env: SKYFLO_NAMESPACE; default: skyflo-ai]' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand check" -s o -l output -d 'Output format [env: SKYFLO_OUTPUT; default: table]' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c skyflo -n "__fish_skyflo_using_subcommand check" -l color -d 'When to use colours [default: auto; NO_COLOR turns them off]' -r -f -a "auto\t''
always\t''
never\t''"
complete -c skyflo -n "__fish_skyflo_using_subcommand check" -l offline -d 'Do not ask the LLM provider whether the key and model work'
complete -c skyflo -n "__fish_skyflo_using_subcommand check" -s q -l quiet -d 'Print only errors and the final result'
complete -c skyflo -n "__fish_skyflo_using_subcommand check" -s v -l verbose -d 'Print more detail (API calls, per-object decisions)'
complete -c skyflo -n "__fish_skyflo_using_subcommand check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c skyflo -n "__fish_skyflo_using_subcommand history" -l name -d 'The SkyfloAI name (metadata.name of the spec) [default: the namespace\'s only skyflo installation, such as an adopted Helm release\'s `<release>-skyflo`; else skyflo]' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand history" -l kubeconfig -d 'Path to the kubeconfig file [env: KUBECONFIG; default: ~/.kube/config, or the in-cluster config inside a pod]' -r -F
complete -c skyflo -n "__fish_skyflo_using_subcommand history" -l context -d 'The kubeconfig context to use [env: SKYFLO_CONTEXT]' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand history" -s n -l namespace -d 'Namespace to install into and read from [env: SKYFLO_NAMESPACE; default: skyflo-ai]' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand history" -s o -l output -d 'Output format [env: SKYFLO_OUTPUT; default: table]' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c skyflo -n "__fish_skyflo_using_subcommand history" -l color -d 'When to use colours [default: auto; NO_COLOR turns them off]' -r -f -a "auto\t''
always\t''
never\t''"
complete -c skyflo -n "__fish_skyflo_using_subcommand history" -s q -l quiet -d 'Print only errors and the final result'
complete -c skyflo -n "__fish_skyflo_using_subcommand history" -s v -l verbose -d 'Print more detail (API calls, per-object decisions)'
complete -c skyflo -n "__fish_skyflo_using_subcommand history" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c skyflo -n "__fish_skyflo_using_subcommand rollback" -l name -d 'The SkyfloAI name (metadata.name of the spec) [default: the namespace\'s only skyflo installation, such as an adopted Helm release\'s `<release>-skyflo`; else skyflo]' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand rollback" -l timeout -d 'How long to wait for every component to be ready (e.g. 90s, 5m) [env: SKYFLO_TIMEOUT; default: 5m]' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand rollback" -l kubeconfig -d 'Path to the kubeconfig file [env: KUBECONFIG; default: ~/.kube/config, or the in-cluster config inside a pod]' -r -F
complete -c skyflo -n "__fish_skyflo_using_subcommand rollback" -l context -d 'The kubeconfig context to use [env: SKYFLO_CONTEXT]' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand rollback" -s n -l namespace -d 'Namespace to install into and read from [env: SKYFLO_NAMESPACE; default: skyflo-ai]' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand rollback" -s o -l output -d 'Output format [env: SKYFLO_OUTPUT; default: table]' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c skyflo -n "__fish_skyflo_using_subcommand rollback" -l color -d 'When to use colours [default: auto; NO_COLOR turns them off]' -r -f -a "auto\t''
always\t''
never\t''"
complete -c skyflo -n "__fish_skyflo_using_subcommand rollback" -l no-wait -d 'Apply and return without waiting for readiness'
complete -c skyflo -n "__fish_skyflo_using_subcommand rollback" -l restore -d 'When the engine image goes back, first restore the database backup taken before the upgrade being undone (the engine is stopped meanwhile)'
complete -c skyflo -n "__fish_skyflo_using_subcommand rollback" -l from-other-cluster -d 'With --restore: accept a backup taken in another cluster'
complete -c skyflo -n "__fish_skyflo_using_subcommand rollback" -l no-backup -d 'Do not back up PostgreSQL before an engine image change'
complete -c skyflo -n "__fish_skyflo_using_subcommand rollback" -s q -l quiet -d 'Print only errors and the final result'
complete -c skyflo -n "__fish_skyflo_using_subcommand rollback" -s v -l verbose -d 'Print more detail (API calls, per-object decisions)'
complete -c skyflo -n "__fish_skyflo_using_subcommand rollback" -s h -l help -d 'Print help'
complete -c skyflo -n "__fish_skyflo_using_subcommand template" -s f -l file -d 'The SkyfloAI spec file; repeat it for overlays, later files win (mappings merge, lists and values replace); `-` reads standard input [default: the embedded default spec]' -r -F
complete -c skyflo -n "__fish_skyflo_using_subcommand template" -l set -d 'One field over the files, typed as in the file, e.g. engine.replicas=3 (repeatable)' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand template" -l set-string -d 'Like --set, but the value is always a string, e.g. engine.llm.model=openai/gpt-4o' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand template" -l registry -d 'Pull every image (PostgreSQL, Redis and init containers too) through this registry, e.g. registry.example.com/mirror; overrides spec.imageRegistry' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand template" -l version -d 'The Skyflo release for every Skyflo image (UI, proxy, engine, MCP), e.g. v0.7.1; overrides spec.version. Images pinned by digest, PostgreSQL and Redis stay as they are' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand template" -l kubeconfig -d 'Path to the kubeconfig file [env: KUBECONFIG; default: ~/.kube/config, or the in-cluster config inside a pod]' -r -F
complete -c skyflo -n "__fish_skyflo_using_subcommand template" -l context -d 'The kubeconfig context to use [env: SKYFLO_CONTEXT]' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand template" -s n -l namespace -d 'Namespace to install into and read from [env: SKYFLO_NAMESPACE; default: skyflo-ai]' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand template" -s o -l output -d 'Output format [env: SKYFLO_OUTPUT; default: table]' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c skyflo -n "__fish_skyflo_using_subcommand template" -l color -d 'When to use colours [default: auto; NO_COLOR turns them off]' -r -f -a "auto\t''
always\t''
never\t''"
complete -c skyflo -n "__fish_skyflo_using_subcommand template" -l include-generated-secrets -d 'Also print the Secrets with generated credentials (JWT secret, PostgreSQL password), freshly generated: different on every run, so never apply them to an installation'
complete -c skyflo -n "__fish_skyflo_using_subcommand template" -s q -l quiet -d 'Print only errors and the final result'
complete -c skyflo -n "__fish_skyflo_using_subcommand template" -s v -l verbose -d 'Print more detail (API calls, per-object decisions)'
complete -c skyflo -n "__fish_skyflo_using_subcommand template" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c skyflo -n "__fish_skyflo_using_subcommand images" -s f -l file -d 'The SkyfloAI spec file; repeat it for overlays, later files win (mappings merge, lists and values replace); `-` reads standard input [default: the embedded default spec]' -r -F
complete -c skyflo -n "__fish_skyflo_using_subcommand images" -l set -d 'One field over the files, typed as in the file, e.g. engine.replicas=3 (repeatable)' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand images" -l set-string -d 'Like --set, but the value is always a string, e.g. engine.llm.model=openai/gpt-4o' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand images" -l registry -d 'Pull every image (PostgreSQL, Redis and init containers too) through this registry, e.g. registry.example.com/mirror; overrides spec.imageRegistry' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand images" -l version -d 'The Skyflo release for every Skyflo image (UI, proxy, engine, MCP), e.g. v0.7.1; overrides spec.version. Images pinned by digest, PostgreSQL and Redis stay as they are' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand images" -l kubeconfig -d 'Path to the kubeconfig file [env: KUBECONFIG; default: ~/.kube/config, or the in-cluster config inside a pod]' -r -F
complete -c skyflo -n "__fish_skyflo_using_subcommand images" -l context -d 'The kubeconfig context to use [env: SKYFLO_CONTEXT]' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand images" -s n -l namespace -d 'Namespace to install into and read from [env: SKYFLO_NAMESPACE; default: skyflo-ai]' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand images" -s o -l output -d 'Output format [env: SKYFLO_OUTPUT; default: table]' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c skyflo -n "__fish_skyflo_using_subcommand images" -l color -d 'When to use colours [default: auto; NO_COLOR turns them off]' -r -f -a "auto\t''
always\t''
never\t''"
complete -c skyflo -n "__fish_skyflo_using_subcommand images" -s q -l quiet -d 'Print only errors and the final result'
complete -c skyflo -n "__fish_skyflo_using_subcommand images" -s v -l verbose -d 'Print more detail (API calls, per-object decisions)'
complete -c skyflo -n "__fish_skyflo_using_subcommand images" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c skyflo -n "__fish_skyflo_using_subcommand support-bundle" -l name -d 'The SkyfloAI name (metadata.name of the spec) [default: the namespace\'s only skyflo installation, such as an adopted Helm release\'s `<release>-skyflo`; else skyflo]' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand support-bundle" -l output-file -d 'Where to write the archive [default: skyflo-support-<namespace>-<time>.tar.gz here]. (`-o` is the output format, as for every command.)' -r -F
complete -c skyflo -n "__fish_skyflo_using_subcommand support-bundle" -l kubeconfig -d 'Path to the kubeconfig file [env: KUBECONFIG; default: ~/.kube/config, or the in-cluster config inside a pod]' -r -F
complete -c skyflo -n "__fish_skyflo_using_subcommand support-bundle" -l context -d 'The kubeconfig context to use [env: SKYFLO_CONTEXT]' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand support-bundle" -s n -l namespace -d 'Namespace to install into and read from [env: SKYFLO_NAMESPACE; default: skyflo-ai]' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand support-bundle" -s o -l output -d 'Output format [env: SKYFLO_OUTPUT; default: table]' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c skyflo -n "__fish_skyflo_using_subcommand support-bundle" -l color -d 'When to use colours [default: auto; NO_COLOR turns them off]' -r -f -a "auto\t''
always\t''
never\t''"
complete -c skyflo -n "__fish_skyflo_using_subcommand support-bundle" -l force -d 'Replace an existing --output-file'
complete -c skyflo -n "__fish_skyflo_using_subcommand support-bundle" -s q -l quiet -d 'Print only errors and the final result'
complete -c skyflo -n "__fish_skyflo_using_subcommand support-bundle" -s v -l verbose -d 'Print more detail (API calls, per-object decisions)'
complete -c skyflo -n "__fish_skyflo_using_subcommand support-bundle" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c skyflo -n "__fish_skyflo_using_subcommand logs" -l name -d 'The SkyfloAI name (metadata.name of the spec) [default: the namespace\'s only skyflo installation, such as an adopted Helm release\'s `<release>-skyflo`; else skyflo]' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand logs" -l since -d 'Only lines newer than this (e.g. 10m, 1h)' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand logs" -l tail -d 'The last N lines of each container' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand logs" -l kubeconfig -d 'Path to the kubeconfig file [env: KUBECONFIG; default: ~/.kube/config, or the in-cluster config inside a pod]' -r -F
complete -c skyflo -n "__fish_skyflo_using_subcommand logs" -l context -d 'The kubeconfig context to use [env: SKYFLO_CONTEXT]' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand logs" -s n -l namespace -d 'Namespace to install into and read from [env: SKYFLO_NAMESPACE; default: skyflo-ai]' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand logs" -s o -l output -d 'Output format [env: SKYFLO_OUTPUT; default: table]' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c skyflo -n "__fish_skyflo_using_subcommand logs" -l color -d 'When to use colours [default: auto; NO_COLOR turns them off]' -r -f -a "auto\t''
always\t''
never\t''"
complete -c skyflo -n "__fish_skyflo_using_subcommand logs" -s f -l follow -d 'Keep streaming, and pick up pods that start later (a rollout)'
complete -c skyflo -n "__fish_skyflo_using_subcommand logs" -l previous -d 'The log of the previous instance of each container (after a restart)'
complete -c skyflo -n "__fish_skyflo_using_subcommand logs" -s q -l quiet -d 'Print only errors and the final result'
complete -c skyflo -n "__fish_skyflo_using_subcommand logs" -s v -l verbose -d 'Print more detail (API calls, per-object decisions)'
complete -c skyflo -n "__fish_skyflo_using_subcommand logs" -s h -l help -d 'Print help'
complete -c skyflo -n "__fish_skyflo_using_subcommand backup" -l name -d 'The SkyfloAI name (metadata.name of the spec) [default: the namespace\'s only skyflo installation, such as an adopted Helm release\'s `<release>-skyflo`; else skyflo]' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand backup" -l output-file -d 'Where to write the dump (`FILE.json` goes beside it) [default: a new file in the backup directory]. (`-o` is the output format, as for every command.)' -r -F
complete -c skyflo -n "__fish_skyflo_using_subcommand backup" -l kubeconfig -d 'Path to the kubeconfig file [env: KUBECONFIG; default: ~/.kube/config, or the in-cluster config inside a pod]' -r -F
complete -c skyflo -n "__fish_skyflo_using_subcommand backup" -l context -d 'The kubeconfig context to use [env: SKYFLO_CONTEXT]' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand backup" -s n -l namespace -d 'Namespace to install into and read from [env: SKYFLO_NAMESPACE; default: skyflo-ai]' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand backup" -s o -l output -d 'Output format [env: SKYFLO_OUTPUT; default: table]' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c skyflo -n "__fish_skyflo_using_subcommand backup" -l color -d 'When to use colours [default: auto; NO_COLOR turns them off]' -r -f -a "auto\t''
always\t''
never\t''"
complete -c skyflo -n "__fish_skyflo_using_subcommand backup" -l force -d 'Replace an existing --output-file (and its FILE.json)'
complete -c skyflo -n "__fish_skyflo_using_subcommand backup" -l list -d 'List the installation\'s backups in the backup directory instead'
complete -c skyflo -n "__fish_skyflo_using_subcommand backup" -s q -l quiet -d 'Print only errors and the final result'
complete -c skyflo -n "__fish_skyflo_using_subcommand backup" -s v -l verbose -d 'Print more detail (API calls, per-object decisions)'
complete -c skyflo -n "__fish_skyflo_using_subcommand backup" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c skyflo -n "__fish_skyflo_using_subcommand restore" -l name -d 'The SkyfloAI name (metadata.name of the spec) [default: the namespace\'s only skyflo installation, such as an adopted Helm release\'s `<release>-skyflo`; else skyflo]' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand restore" -l timeout -d 'How long to wait for every component to be ready (e.g. 90s, 5m) [env: SKYFLO_TIMEOUT; default: 5m]' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand restore" -l kubeconfig -d 'Path to the kubeconfig file [env: KUBECONFIG; default: ~/.kube/config, or the in-cluster config inside a pod]' -r -F
complete -c skyflo -n "__fish_skyflo_using_subcommand restore" -l context -d 'The kubeconfig context to use [env: SKYFLO_CONTEXT]' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand restore" -s n -l namespace -d 'Namespace to install into and read from [env: SKYFLO_NAMESPACE; default: skyflo-ai]' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand restore" -s o -l output -d 'Output format [env: SKYFLO_OUTPUT; default: table]' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c skyflo -n "__fish_skyflo_using_subcommand restore" -l color -d 'When to use colours [default: auto; NO_COLOR turns them off]' -r -f -a "auto\t''
always\t''
never\t''"
complete -c skyflo -n "__fish_skyflo_using_subcommand restore" -l no-wait -d 'Apply and return without waiting for readiness'
complete -c skyflo -n "__fish_skyflo_using_subcommand restore" -s y -l yes -d 'Do not ask for confirmation'
complete -c skyflo -n "__fish_skyflo_using_subcommand restore" -l from-other-cluster -d 'Accept a backup taken in another cluster (its metadata names the cluster by the uid of its kube-system namespace); refused otherwise'
complete -c skyflo -n "__fish_skyflo_using_subcommand restore" -s q -l quiet -d 'Print only errors and the final result'
complete -c skyflo -n "__fish_skyflo_using_subcommand restore" -s v -l verbose -d 'Print more detail (API calls, per-object decisions)'
complete -c skyflo -n "__fish_skyflo_using_subcommand restore" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c skyflo -n "__fish_skyflo_using_subcommand verify" -l name -d 'The SkyfloAI name (metadata.name of the spec) [default: the namespace\'s only skyflo installation, such as an adopted Helm release\'s `<release>-skyflo`; else skyflo]' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand verify" -l check -d 'Run only this check (repeatable) [default: all]' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand verify" -l kubeconfig -d 'Path to the kubeconfig file [env: KUBECONFIG; default: ~/.kube/config, or the in-cluster config inside a pod]' -r -F
complete -c skyflo -n "__fish_skyflo_using_subcommand verify" -l context -d 'The kubeconfig context to use [env: SKYFLO_CONTEXT]' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand verify" -s n -l namespace -d 'Namespace to install into and read from [env: SKYFLO_NAMESPACE; default: skyflo-ai]' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand verify" -s o -l output -d 'Output format [env: SKYFLO_OUTPUT; default: table]' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c skyflo -n "__fish_skyflo_using_subcommand verify" -l color -d 'When to use colours [default: auto; NO_COLOR turns them off]' -r -f -a "auto\t''
always\t''
never\t''"
complete -c skyflo -n "__fish_skyflo_using_subcommand verify" -s q -l quiet -d 'Print only errors and the final result'
complete -c skyflo -n "__fish_skyflo_using_subcommand verify" -s v -l verbose -d 'Print more detail (API calls, per-object decisions)'
complete -c skyflo -n "__fish_skyflo_using_subcommand verify" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c skyflo -n "__fish_skyflo_using_subcommand dashboard" -l name -d 'The SkyfloAI name (metadata.name of the spec) [default: the namespace\'s only skyflo installation, such as an adopted Helm release\'s `<release>-skyflo`; else skyflo]' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand dashboard" -l port -d 'The local port; when taken, the next free one (said)' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand dashboard" -l address -d 'The local address to listen on' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand dashboard" -l kubeconfig -d 'Path to the kubeconfig file [env: KUBECONFIG; default: ~/.kube/config, or the in-cluster config inside a pod]' -r -F
complete -c skyflo -n "__fish_skyflo_using_subcommand dashboard" -l context -d 'The kubeconfig context to use [env: SKYFLO_CONTEXT]' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand dashboard" -s n -l namespace -d 'Namespace to install into and read from [env: SKYFLO_NAMESPACE; default: skyflo-ai]' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand dashboard" -s o -l output -d 'Output format [env: SKYFLO_OUTPUT; default: table]' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c skyflo -n "__fish_skyflo_using_subcommand dashboard" -l color -d 'When to use colours [default: auto; NO_COLOR turns them off]' -r -f -a "auto\t''
always\t''
never\t''"
complete -c skyflo -n "__fish_skyflo_using_subcommand dashboard" -l no-browser -d 'Print the URL only; do not open a browser'
complete -c skyflo -n "__fish_skyflo_using_subcommand dashboard" -s q -l quiet -d 'Print only errors and the final result'
complete -c skyflo -n "__fish_skyflo_using_subcommand dashboard" -s v -l verbose -d 'Print more detail (API calls, per-object decisions)'
complete -c skyflo -n "__fish_skyflo_using_subcommand dashboard" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c skyflo -n "__fish_skyflo_using_subcommand admin; and not __fish_seen_subcommand_from create help" -l kubeconfig -d 'Path to the kubeconfig file [env: KUBECONFIG; default: ~/.kube/config, or the in-cluster config inside a pod]' -r -F
complete -c skyflo -n "__fish_skyflo_using_subcommand admin; and not __fish_seen_subcommand_from create help" -l context -d 'The kubeconfig context to use [env: SKYFLO_CONTEXT]' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand admin; and not __fish_seen_subcommand_from create help" -s n -l namespace -d 'Namespace to install into and read from [env: SKYFLO_NAMESPACE; default: skyflo-ai]' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand admin; and not __fish_seen_subcommand_from create help" -s o -l output -d 'Output format [env: SKYFLO_OUTPUT; default: table]' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c skyflo -n "__fish_skyflo_using_subcommand admin; and not __fish_seen_subcommand_from create help" -l color -d 'When to use colours [default: auto; NO_COLOR turns them off]' -r -f -a "auto\t''
always\t''
never\t''"
complete -c skyflo -n "__fish_skyflo_using_subcommand admin; and not __fish_seen_subcommand_from create help" -s q -l quiet -d 'Print only errors and the final result'
complete -c skyflo -n "__fish_skyflo_using_subcommand admin; and not __fish_seen_subcommand_from create help" -s v -l verbose -d 'Print more detail (API calls, per-object decisions)'
complete -c skyflo -n "__fish_skyflo_using_subcommand admin; and not __fish_seen_subcommand_from create help" -s h -l help -d 'Print help'
complete -c skyflo -n "__fish_skyflo_using_subcommand admin; and not __fish_seen_subcommand_from create help" -f -a "create" -d 'Create the first admin account, through a port-forward to the engine'
complete -c skyflo -n "__fish_skyflo_using_subcommand admin; and not __fish_seen_subcommand_from create help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c skyflo -n "__fish_skyflo_using_subcommand admin; and __fish_seen_subcommand_from create" -l name -d 'The SkyfloAI name (metadata.name of the spec) [default: the namespace\'s only skyflo installation, such as an adopted Helm release\'s `<release>-skyflo`; else skyflo]' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand admin; and __fish_seen_subcommand_from create" -l email -d 'The admin\'s email (the login name)' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand admin; and __fish_seen_subcommand_from create" -l full-name -d 'The admin\'s full name [default: the part of the email before @]' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand admin; and __fish_seen_subcommand_from create" -l kubeconfig -d 'Path to the kubeconfig file [env: KUBECONFIG; default: ~/.kube/config, or the in-cluster config inside a pod]' -r -F
complete -c skyflo -n "__fish_skyflo_using_subcommand admin; and __fish_seen_subcommand_from create" -l context -d 'The kubeconfig context to use [env: SKYFLO_CONTEXT]' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand admin; and __fish_seen_subcommand_from create" -s n -l namespace -d 'Namespace to install into and read from [env: SKYFLO_NAMESPACE; default: skyflo-ai]' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand admin; and __fish_seen_subcommand_from create" -s o -l output -d 'Output format [env: SKYFLO_OUTPUT; default: table]' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c skyflo -n "__fish_skyflo_using_subcommand admin; and __fish_seen_subcommand_from create" -l color -d 'When to use colours [default: auto; NO_COLOR turns them off]' -r -f -a "auto\t''
always\t''
never\t''"
complete -c skyflo -n "__fish_skyflo_using_subcommand admin; and __fish_seen_subcommand_from create" -l password-stdin -d 'Read the password from standard input (one line)'
complete -c skyflo -n "__fish_skyflo_using_subcommand admin; and __fish_seen_subcommand_from create" -l show-password -d 'Print a generated password (it is always kept in Secret <name>-admin)'
complete -c skyflo -n "__fish_skyflo_using_subcommand admin; and __fish_seen_subcommand_from create" -s q -l quiet -d 'Print only errors and the final result'
complete -c skyflo -n "__fish_skyflo_using_subcommand admin; and __fish_seen_subcommand_from create" -s v -l verbose -d 'Print more detail (API calls, per-object decisions)'
complete -c skyflo -n "__fish_skyflo_using_subcommand admin; and __fish_seen_subcommand_from create" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c skyflo -n "__fish_skyflo_using_subcommand admin; and __fish_seen_subcommand_from help" -f -a "create" -d 'Create the first admin account, through a port-forward to the engine'
complete -c skyflo -n "__fish_skyflo_using_subcommand admin; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c skyflo -n "__fish_skyflo_using_subcommand validate" -s f -l file -d 'The SkyfloAI spec file(s) to check (later files overlay earlier ones); `-` reads standard input' -r -F
complete -c skyflo -n "__fish_skyflo_using_subcommand validate" -l set -d 'One field over the files, typed as in the file, e.g. engine.replicas=3 (repeatable)' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand validate" -l set-string -d 'Like --set, but the value is always a string, e.g. engine.llm.model=openai/gpt-4o' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand validate" -l kubeconfig -d 'Path to the kubeconfig file [env: KUBECONFIG; default: ~/.kube/config, or the in-cluster config inside a pod]' -r -F
complete -c skyflo -n "__fish_skyflo_using_subcommand validate" -l context -d 'The kubeconfig context to use [env: SKYFLO_CONTEXT]' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand validate" -s n -l namespace -d 'Namespace to install into and read from [env: SKYFLO_NAMESPACE; default: skyflo-ai]' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand validate" -s o -l output -d 'Output format [env: SKYFLO_OUTPUT; default: table]' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c skyflo -n "__fish_skyflo_using_subcommand validate" -l color -d 'When to use colours [default: auto; NO_COLOR turns them off]' -r -f -a "auto\t''
always\t''
never\t''"
complete -c skyflo -n "__fish_skyflo_using_subcommand validate" -s q -l quiet -d 'Print only errors and the final result'
complete -c skyflo -n "__fish_skyflo_using_subcommand validate" -s v -l verbose -d 'Print more detail (API calls, per-object decisions)'
complete -c skyflo -n "__fish_skyflo_using_subcommand validate" -s h -l help -d 'Print help'
complete -c skyflo -n "__fish_skyflo_using_subcommand completions" -l kubeconfig -d 'Path to the kubeconfig file [env: KUBECONFIG; default: ~/.kube/config, or the in-cluster config inside a pod]' -r -F
complete -c skyflo -n "__fish_skyflo_using_subcommand completions" -l context -d 'The kubeconfig context to use [env: SKYFLO_CONTEXT]' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand completions" -s n -l namespace -d 'Namespace to install into and read from [env: SKYFLO_NAMESPACE; default: skyflo-ai]' -r
complete -c skyflo -n "__fish_skyflo_using_subcommand completions" -s o -l output -d 'Output format [env: SKYFLO_OUTPUT; default: table]' -r -f -a "table\t''
json\t''
yaml\t''"
complete -c skyflo -n "__fish_skyflo_using_subcommand completions" -l color -d 'When to use colours [default: auto; NO_COLOR turns them off]' -r -f -a "auto\t''
always\t''
never\t''"
complete -c skyflo -n "__fish_skyflo_using_subcommand completions" -s q -l quiet -d 'Print only errors and the final result'
complete -c skyflo -n "__fish_skyflo_using_subcommand completions" -s v -l verbose -d 'Print more detail (API calls, per-object decisions)'
complete -c skyflo -n "__fish_skyflo_using_subcommand completions" -s h -l help -d 'Print help'
complete -c skyflo -n "__fish_skyflo_using_subcommand help; and not __fish_seen_subcommand_from init install upgrade status uninstall adopt check history rollback template images support-bundle logs backup restore verify dashboard admin validate completions help" -f -a "init" -d 'Write a skyflo.yaml by answering a few questions'
complete -c skyflo -n "__fish_skyflo_using_subcommand help; and not __fish_seen_subcommand_from init install upgrade status uninstall adopt check history rollback template images support-bundle logs backup restore verify dashboard admin validate completions help" -f -a "install" -d 'Install Skyflo, or converge an existing installation to the spec'
complete -c skyflo -n "__fish_skyflo_using_subcommand help; and not __fish_seen_subcommand_from init install upgrade status uninstall adopt check history rollback template images support-bundle logs backup restore verify dashboard admin validate completions help" -f -a "upgrade" -d 'Change an existing installation to match FILE'
complete -c skyflo -n "__fish_skyflo_using_subcommand help; and not __fish_seen_subcommand_from init install upgrade status uninstall adopt check history rollback template images support-bundle logs backup restore verify dashboard admin validate completions help" -f -a "status" -d 'Show each component\'s health and why it is not ready'
complete -c skyflo -n "__fish_skyflo_using_subcommand help; and not __fish_seen_subcommand_from init install upgrade status uninstall adopt check history rollback template images support-bundle logs backup restore verify dashboard admin validate completions help" -f -a "uninstall" -d 'Remove the installation; keeps its data unless --purge'
complete -c skyflo -n "__fish_skyflo_using_subcommand help; and not __fish_seen_subcommand_from init install upgrade status uninstall adopt check history rollback template images support-bundle logs backup restore verify dashboard admin validate completions help" -f -a "adopt" -d 'Take over an installation made by upstream\'s install.sh or Helm chart'
complete -c skyflo -n "__fish_skyflo_using_subcommand help; and not __fish_seen_subcommand_from init install upgrade status uninstall adopt check history rollback template images support-bundle logs backup restore verify dashboard admin validate completions help" -f -a "check" -d 'Check that an install would work here'
complete -c skyflo -n "__fish_skyflo_using_subcommand help; and not __fish_seen_subcommand_from init install upgrade status uninstall adopt check history rollback template images support-bundle logs backup restore verify dashboard admin validate completions help" -f -a "history" -d 'List the installation\'s revisions'
complete -c skyflo -n "__fish_skyflo_using_subcommand help; and not __fish_seen_subcommand_from init install upgrade status uninstall adopt check history rollback template images support-bundle logs backup restore verify dashboard admin validate completions help" -f -a "rollback" -d 'Return to the spec of an earlier revision (default: the one before)'
complete -c skyflo -n "__fish_skyflo_using_subcommand help; and not __fish_seen_subcommand_from init install upgrade status uninstall adopt check history rollback template images support-bundle logs backup restore verify dashboard admin validate completions help" -f -a "template" -d 'Print the Kubernetes objects a spec renders to; touches no cluster'
complete -c skyflo -n "__fish_skyflo_using_subcommand help; and not __fish_seen_subcommand_from init install upgrade status uninstall adopt check history rollback template images support-bundle logs backup restore verify dashboard admin validate completions help" -f -a "images" -d 'List every image a spec uses, for mirroring into another registry; touches no cluster'
complete -c skyflo -n "__fish_skyflo_using_subcommand help; and not __fish_seen_subcommand_from init install upgrade status uninstall adopt check history rollback template images support-bundle logs backup restore verify dashboard admin validate completions help" -f -a "support-bundle" -d 'Write one redacted .tar.gz a maintainer can read: status, checks, history, objects, events, pods, logs and nodes'
complete -c skyflo -n "__fish_skyflo_using_subcommand help; and not __fish_seen_subcommand_from init install upgrade status uninstall adopt check history rollback template images support-bundle logs backup restore verify dashboard admin validate completions help" -f -a "logs" -d 'Show the logs of every pod of the chosen components, interleaved, each line prefixed with its component and pod'
complete -c skyflo -n "__fish_skyflo_using_subcommand help; and not __fish_seen_subcommand_from init install upgrade status uninstall adopt check history rollback template images support-bundle logs backup restore verify dashboard admin validate completions help" -f -a "backup" -d 'Back up the in-cluster PostgreSQL to a local file (pg_dump custom format)'
complete -c skyflo -n "__fish_skyflo_using_subcommand help; and not __fish_seen_subcommand_from init install upgrade status uninstall adopt check history rollback template images support-bundle logs backup restore verify dashboard admin validate completions help" -f -a "restore" -d 'Restore a backup into the in-cluster PostgreSQL'
complete -c skyflo -n "__fish_skyflo_using_subcommand help; and not __fish_seen_subcommand_from init install upgrade status uninstall adopt check history rollback template images support-bundle logs backup restore verify dashboard admin validate completions help" -f -a "verify" -d 'Prove that the installation works end to end, through port-forwards'
complete -c skyflo -n "__fish_skyflo_using_subcommand help; and not __fish_seen_subcommand_from init install upgrade status uninstall adopt check history rollback template images support-bundle logs backup restore verify dashboard admin validate completions help" -f -a "dashboard" -d 'Open the UI in the browser through a port-forward made with your own credentials'
complete -c skyflo -n "__fish_skyflo_using_subcommand help; and not __fish_seen_subcommand_from init install upgrade status uninstall adopt check history rollback template images support-bundle logs backup restore verify dashboard admin validate completions help" -f -a "admin" -d 'Accounts of the installation: create the first admin'
complete -c skyflo -n "__fish_skyflo_using_subcommand help; and not __fish_seen_subcommand_from init install upgrade status uninstall adopt check history rollback template images support-bundle logs backup restore verify dashboard admin validate completions help" -f -a "validate" -d 'Check a spec file and print every problem in it'
complete -c skyflo -n "__fish_skyflo_using_subcommand help; and not __fish_seen_subcommand_from init install upgrade status uninstall adopt check history rollback template images support-bundle logs backup restore verify dashboard admin validate completions help" -f -a "completions" -d 'Print shell completions for SHELL to stdout'
complete -c skyflo -n "__fish_skyflo_using_subcommand help; and not __fish_seen_subcommand_from init install upgrade status uninstall adopt check history rollback template images support-bundle logs backup restore verify dashboard admin validate completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c skyflo -n "__fish_skyflo_using_subcommand help; and __fish_seen_subcommand_from admin" -f -a "create" -d 'Create the first admin account, through a port-forward to the engine'
