
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'skyflo' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'skyflo'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'skyflo' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file [env: KUBECONFIG; default: ~/.kube/config, or the in-cluster config inside a pod]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use [env: SKYFLO_CONTEXT]')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace to install into and read from [env: SKYFLO_NAMESPACE; default: skyflo-ai]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace to install into and read from [env: SKYFLO_NAMESPACE; default: skyflo-ai]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [env: SKYFLO_OUTPUT; default: table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [env: SKYFLO_OUTPUT; default: table]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours [default: auto; NO_COLOR turns them off]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the final result')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the final result')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (API calls, per-object decisions)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (API calls, per-object decisions)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Write a skyflo.yaml by answering a few questions')
            [CompletionResult]::new('install', 'install', [CompletionResultType]::ParameterValue, 'Install Skyflo, or converge an existing installation to the spec')
            [CompletionResult]::new('upgrade', 'upgrade', [CompletionResultType]::ParameterValue, 'Change an existing installation to match FILE')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show each component''s health and why it is not ready')
            [CompletionResult]::new('uninstall', 'uninstall', [CompletionResultType]::ParameterValue, 'Remove the installation; keeps its data unless --purge')
            [CompletionResult]::new('adopt', 'adopt', [CompletionResultType]::ParameterValue, 'Take over an installation made by upstream''s install.sh or Helm chart')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Check that an install would work here')
            [CompletionResult]::new('history', 'history', [CompletionResultType]::ParameterValue, 'List the installation''s revisions')
            [CompletionResult]::new('rollback', 'rollback', [CompletionResultType]::ParameterValue, 'Return to the spec of an earlier revision (default: the one before)')
            [CompletionResult]::new('template', 'template', [CompletionResultType]::ParameterValue, 'Print the Kubernetes objects a spec renders to; touches no cluster')
            [CompletionResult]::new('images', 'images', [CompletionResultType]::ParameterValue, 'List every image a spec uses, for mirroring into another registry; touches no cluster')
            [CompletionResult]::new('support-bundle', 'support-bundle', [CompletionResultType]::ParameterValue, 'Write one redacted .tar.gz a maintainer can read: status, checks, history, objects, events, pods, logs and nodes')
            [CompletionResult]::new('logs', 'logs', [CompletionResultType]::ParameterValue, 'Show the logs of every pod of the chosen components, interleaved, each line prefixed with its component and pod')
            [CompletionResult]::new('backup', 'backup', [CompletionResultType]::ParameterValue, 'Back up the in-cluster PostgreSQL to a local file (pg_dump custom format)')
            [CompletionResult]::new('restore', 'restore', [CompletionResultType]::ParameterValue, 'Restore a backup into the in-cluster PostgreSQL')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Prove that the installation works end to end, through port-forwards')
            [CompletionResult]::new('dashboard', 'dashboard', [CompletionResultType]::ParameterValue, 'Open the UI in the browser through a port-forward made with your own credentials')
            [CompletionResult]::new('admin', 'admin', [CompletionResultType]::ParameterValue, 'Accounts of the installation: create the first admin')
            [CompletionResult]::new('validate', 'validate', [CompletionResultType]::ParameterValue, 'Check a spec file and print every problem in it')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print shell completions for SHELL to stdout')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'skyflo;init' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'The file to write')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'The file to write')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'metadata.name of the SkyfloAI')
            [CompletionResult]::new('--model', '--model', [CompletionResultType]::ParameterName, 'The LLM as provider/model, e.g. openai/gpt-4o, gemini/gemini-2.5-pro, ollama/llama3.1')
            [CompletionResult]::new('--llm-host', '--llm-host', [CompletionResultType]::ParameterName, 'A self-hosted LLM endpoint, e.g. http://ollama:11434')
            [CompletionResult]::new('--api-key-secret', '--api-key-secret', [CompletionResultType]::ParameterName, 'Use this existing Secret for the API key (its keys become engine env vars)')
            [CompletionResult]::new('--postgres', '--postgres', [CompletionResultType]::ParameterName, 'Where PostgreSQL runs [default: in-cluster; external when --postgres-host is given]')
            [CompletionResult]::new('--postgres-host', '--postgres-host', [CompletionResultType]::ParameterName, 'postgres-host')
            [CompletionResult]::new('--postgres-port', '--postgres-port', [CompletionResultType]::ParameterName, 'postgres-port')
            [CompletionResult]::new('--postgres-database', '--postgres-database', [CompletionResultType]::ParameterName, 'postgres-database')
            [CompletionResult]::new('--postgres-secret', '--postgres-secret', [CompletionResultType]::ParameterName, 'Secret with POSTGRES_USER and POSTGRES_PASSWORD for an external PostgreSQL')
            [CompletionResult]::new('--redis', '--redis', [CompletionResultType]::ParameterName, 'Where Redis runs [default: in-cluster; external when --redis-host is given]')
            [CompletionResult]::new('--redis-host', '--redis-host', [CompletionResultType]::ParameterName, 'redis-host')
            [CompletionResult]::new('--redis-port', '--redis-port', [CompletionResultType]::ParameterName, 'redis-port')
            [CompletionResult]::new('--redis-secret', '--redis-secret', [CompletionResultType]::ParameterName, 'Secret with REDIS_PASSWORD for an external Redis')
            [CompletionResult]::new('--ui-service', '--ui-service', [CompletionResultType]::ParameterName, 'How the UI is exposed [default: ClusterIP; open it with `skyflo dashboard`]')
            [CompletionResult]::new('--ui-node-port', '--ui-node-port', [CompletionResultType]::ParameterName, 'ui-node-port')
            [CompletionResult]::new('--mcp-service', '--mcp-service', [CompletionResultType]::ParameterName, 'How MCP is exposed [default: ClusterIP]')
            [CompletionResult]::new('--mcp-node-port', '--mcp-node-port', [CompletionResultType]::ParameterName, 'mcp-node-port')
            [CompletionResult]::new('--access-level', '--access-level', [CompletionResultType]::ParameterName, 'MCP''s access to the cluster [default: cluster-admin]')
            [CompletionResult]::new('--kubeconfig-secret', '--kubeconfig-secret', [CompletionResultType]::ParameterName, 'A Secret whose key `kubeconfig` MCP uses instead of in-cluster credentials')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file [env: KUBECONFIG; default: ~/.kube/config, or the in-cluster config inside a pod]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use [env: SKYFLO_CONTEXT]')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace to install into and read from [env: SKYFLO_NAMESPACE; default: skyflo-ai]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace to install into and read from [env: SKYFLO_NAMESPACE; default: skyflo-ai]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [env: SKYFLO_OUTPUT; default: table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [env: SKYFLO_OUTPUT; default: table]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours [default: auto; NO_COLOR turns them off]')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Overwrite FILE if it exists')
            [CompletionResult]::new('--non-interactive', '--non-interactive', [CompletionResultType]::ParameterName, 'Ask nothing: use the flags and the defaults')
            [CompletionResult]::new('--api-key-stdin', '--api-key-stdin', [CompletionResultType]::ParameterName, 'Read the API key from standard input and store it in Secret <name>-llm-credentials')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the final result')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the final result')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (API calls, per-object decisions)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (API calls, per-object decisions)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'skyflo;install' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'The SkyfloAI spec file; repeat it for overlays, later files win (mappings merge, lists and values replace); `-` reads standard input [default: the embedded default spec]')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'The SkyfloAI spec file; repeat it for overlays, later files win (mappings merge, lists and values replace); `-` reads standard input [default: the embedded default spec]')
            [CompletionResult]::new('--set', '--set', [CompletionResultType]::ParameterName, 'One field over the files, typed as in the file, e.g. engine.replicas=3 (repeatable)')
            [CompletionResult]::new('--set-string', '--set-string', [CompletionResultType]::ParameterName, 'Like --set, but the value is always a string, e.g. engine.llm.model=openai/gpt-4o')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'The Skyflo release for every Skyflo image (UI, proxy, engine, MCP), e.g. v0.7.1; overrides spec.version. Images pinned by digest, PostgreSQL and Redis stay as they are')
            [CompletionResult]::new('--registry', '--registry', [CompletionResultType]::ParameterName, 'Pull every image (PostgreSQL, Redis and init containers too) through this registry, e.g. registry.example.com/mirror; overrides spec.imageRegistry')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to wait for every component to be ready (e.g. 90s, 5m) [env: SKYFLO_TIMEOUT; default: 5m]')
            [CompletionResult]::new('--admin-email', '--admin-email', [CompletionResultType]::ParameterName, 'Once installed, create the first admin with this email (as `skyflo admin create --email`; its generated password is kept in Secret <name>-admin)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file [env: KUBECONFIG; default: ~/.kube/config, or the in-cluster config inside a pod]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use [env: SKYFLO_CONTEXT]')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace to install into and read from [env: SKYFLO_NAMESPACE; default: skyflo-ai]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace to install into and read from [env: SKYFLO_NAMESPACE; default: skyflo-ai]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [env: SKYFLO_OUTPUT; default: table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [env: SKYFLO_OUTPUT; default: table]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours [default: auto; NO_COLOR turns them off]')
            [CompletionResult]::new('--no-wait', '--no-wait', [CompletionResultType]::ParameterName, 'Apply and return without waiting for readiness')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show the plan and stop; nothing is written')
            [CompletionResult]::new('--atomic', '--atomic', [CompletionResultType]::ParameterName, 'If the new revision does not become ready, return to the previous one')
            [CompletionResult]::new('--skip-checks', '--skip-checks', [CompletionResultType]::ParameterName, 'Do not run the pre-flight checks of `skyflo check` first')
            [CompletionResult]::new('--offline', '--offline', [CompletionResultType]::ParameterName, 'Run the pre-flight checks without asking the LLM provider (no internet here)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the final result')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the final result')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (API calls, per-object decisions)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (API calls, per-object decisions)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'skyflo;upgrade' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'The SkyfloAI spec file; repeat it for overlays, later files win (mappings merge, lists and values replace); `-` reads standard input [default: the embedded default spec]')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'The SkyfloAI spec file; repeat it for overlays, later files win (mappings merge, lists and values replace); `-` reads standard input [default: the embedded default spec]')
            [CompletionResult]::new('--set', '--set', [CompletionResultType]::ParameterName, 'One field over the files, typed as in the file, e.g. engine.replicas=3 (repeatable)')
            [CompletionResult]::new('--set-string', '--set-string', [CompletionResultType]::ParameterName, 'Like --set, but the value is always a string, e.g. engine.llm.model=openai/gpt-4o')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'The SkyfloAI name (metadata.name of the spec) [default: the namespace''s only skyflo installation, such as an adopted Helm release''s `<release>-skyflo`; else skyflo]')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'The Skyflo release for every Skyflo image (UI, proxy, engine, MCP), e.g. v0.7.1; overrides spec.version. Images pinned by digest, PostgreSQL and Redis stay as they are')
            [CompletionResult]::new('--registry', '--registry', [CompletionResultType]::ParameterName, 'Pull every image (PostgreSQL, Redis and init containers too) through this registry, e.g. registry.example.com/mirror; overrides spec.imageRegistry')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to wait for every component to be ready (e.g. 90s, 5m) [env: SKYFLO_TIMEOUT; default: 5m]')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file [env: KUBECONFIG; default: ~/.kube/config, or the in-cluster config inside a pod]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use [env: SKYFLO_CONTEXT]')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace to install into and read from [env: SKYFLO_NAMESPACE; default: skyflo-ai]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace to install into and read from [env: SKYFLO_NAMESPACE; default: skyflo-ai]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [env: SKYFLO_OUTPUT; default: table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [env: SKYFLO_OUTPUT; default: table]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours [default: auto; NO_COLOR turns them off]')
            [CompletionResult]::new('--no-wait', '--no-wait', [CompletionResultType]::ParameterName, 'Apply and return without waiting for readiness')
            [CompletionResult]::new('--diff', '--diff', [CompletionResultType]::ParameterName, 'Show the plan (with changed fields; Secret values redacted) and stop. Exit 0 when nothing would change, 6 when changes are pending')
            [CompletionResult]::new('--atomic', '--atomic', [CompletionResultType]::ParameterName, 'If the new revision does not become ready, roll back to the previous one (restoring the database backup taken before an engine image change)')
            [CompletionResult]::new('--no-backup', '--no-backup', [CompletionResultType]::ParameterName, 'Do not back up PostgreSQL before an engine image change')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the final result')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the final result')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (API calls, per-object decisions)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (API calls, per-object decisions)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'skyflo;status' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'The SkyfloAI name (metadata.name of the spec) [default: the namespace''s only skyflo installation, such as an adopted Helm release''s `<release>-skyflo`; else skyflo]')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file [env: KUBECONFIG; default: ~/.kube/config, or the in-cluster config inside a pod]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use [env: SKYFLO_CONTEXT]')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace to install into and read from [env: SKYFLO_NAMESPACE; default: skyflo-ai]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace to install into and read from [env: SKYFLO_NAMESPACE; default: skyflo-ai]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [env: SKYFLO_OUTPUT; default: table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [env: SKYFLO_OUTPUT; default: table]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours [default: auto; NO_COLOR turns them off]')
            [CompletionResult]::new('-w', '-w', [CompletionResultType]::ParameterName, 'Keep running and redraw whenever something changes (watches, not polling)')
            [CompletionResult]::new('--watch', '--watch', [CompletionResultType]::ParameterName, 'Keep running and redraw whenever something changes (watches, not polling)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the final result')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the final result')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (API calls, per-object decisions)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (API calls, per-object decisions)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'skyflo;uninstall' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'The SkyfloAI name (metadata.name of the spec) [default: the namespace''s only skyflo installation, such as an adopted Helm release''s `<release>-skyflo`; else skyflo]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to wait for every component to be ready (e.g. 90s, 5m) [env: SKYFLO_TIMEOUT; default: 5m]')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file [env: KUBECONFIG; default: ~/.kube/config, or the in-cluster config inside a pod]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use [env: SKYFLO_CONTEXT]')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace to install into and read from [env: SKYFLO_NAMESPACE; default: skyflo-ai]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace to install into and read from [env: SKYFLO_NAMESPACE; default: skyflo-ai]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [env: SKYFLO_OUTPUT; default: table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [env: SKYFLO_OUTPUT; default: table]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours [default: auto; NO_COLOR turns them off]')
            [CompletionResult]::new('--no-wait', '--no-wait', [CompletionResultType]::ParameterName, 'Apply and return without waiting for readiness')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('--purge', '--purge', [CompletionResultType]::ParameterName, 'Also delete the data volumes and the generated Secrets (passwords); the namespace too if skyflo created it and nothing of anyone else is in it')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the final result')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the final result')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (API calls, per-object decisions)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (API calls, per-object decisions)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'skyflo;adopt' {
            [CompletionResult]::new('--release', '--release', [CompletionResultType]::ParameterName, 'The Helm release to adopt when the namespace holds several')
            [CompletionResult]::new('--write', '--write', [CompletionResultType]::ParameterName, 'Where to write the SkyfloAI file (never overwrites a different file)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to wait for every component to be ready (e.g. 90s, 5m) [env: SKYFLO_TIMEOUT; default: 5m]')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file [env: KUBECONFIG; default: ~/.kube/config, or the in-cluster config inside a pod]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use [env: SKYFLO_CONTEXT]')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace to install into and read from [env: SKYFLO_NAMESPACE; default: skyflo-ai]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace to install into and read from [env: SKYFLO_NAMESPACE; default: skyflo-ai]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [env: SKYFLO_OUTPUT; default: table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [env: SKYFLO_OUTPUT; default: table]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours [default: auto; NO_COLOR turns them off]')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show the plan only: nothing is written, neither the file nor the cluster')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('--no-wait', '--no-wait', [CompletionResultType]::ParameterName, 'Apply and return without waiting for readiness')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the final result')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the final result')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (API calls, per-object decisions)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (API calls, per-object decisions)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'skyflo;check' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'The SkyfloAI spec file; repeat it for overlays, later files win (mappings merge, lists and values replace); `-` reads standard input [default: the embedded default spec]')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'The SkyfloAI spec file; repeat it for overlays, later files win (mappings merge, lists and values replace); `-` reads standard input [default: the embedded default spec]')
            [CompletionResult]::new('--set', '--set', [CompletionResultType]::ParameterName, 'One field over the files, typed as in the file, e.g. engine.replicas=3 (repeatable)')
            [CompletionResult]::new('--set-string', '--set-string', [CompletionResultType]::ParameterName, 'Like --set, but the value is always a string, e.g. engine.llm.model=openai/gpt-4o')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file [env: KUBECONFIG; default: ~/.kube/config, or the in-cluster config inside a pod]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use [env: SKYFLO_CONTEXT]')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace to install into and read from [env: SKYFLO_NAMESPACE; default: skyflo-ai]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace to install into and read from [env: SKYFLO_NAMESPACE; default: skyflo-ai]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [env: SKYFLO_OUTPUT; default: table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [env: SKYFLO_OUTPUT; default: table]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours [default: auto; NO_COLOR turns them off]')
            [CompletionResult]::new('--offline', '--offline', [CompletionResultType]::ParameterName, 'Do not ask the LLM provider whether the key and model work')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the final result')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the final result')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (API calls, per-object decisions)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (API calls, per-object decisions)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'skyflo;history' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'The SkyfloAI name (metadata.name of the spec) [default: the namespace''s only skyflo installation, such as an adopted Helm release''s `<release>-skyflo`; else skyflo]')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file [env: KUBECONFIG; default: ~/.kube/config, or the in-cluster config inside a pod]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use [env: SKYFLO_CONTEXT]')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace to install into and read from [env: SKYFLO_NAMESPACE; default: skyflo-ai]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace to install into and read from [env: SKYFLO_NAMESPACE; default: skyflo-ai]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [env: SKYFLO_OUTPUT; default: table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [env: SKYFLO_OUTPUT; default: table]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours [default: auto; NO_COLOR turns them off]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the final result')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the final result')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (API calls, per-object decisions)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (API calls, per-object decisions)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'skyflo;rollback' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'The SkyfloAI name (metadata.name of the spec) [default: the namespace''s only skyflo installation, such as an adopted Helm release''s `<release>-skyflo`; else skyflo]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to wait for every component to be ready (e.g. 90s, 5m) [env: SKYFLO_TIMEOUT; default: 5m]')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file [env: KUBECONFIG; default: ~/.kube/config, or the in-cluster config inside a pod]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use [env: SKYFLO_CONTEXT]')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace to install into and read from [env: SKYFLO_NAMESPACE; default: skyflo-ai]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace to install into and read from [env: SKYFLO_NAMESPACE; default: skyflo-ai]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [env: SKYFLO_OUTPUT; default: table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [env: SKYFLO_OUTPUT; default: table]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours [default: auto; NO_COLOR turns them off]')
            [CompletionResult]::new('--no-wait', '--no-wait', [CompletionResultType]::ParameterName, 'Apply and return without waiting for readiness')
            [CompletionResult]::new('--restore', '--restore', [CompletionResultType]::ParameterName, 'When the engine image goes back, first restore the database backup taken before the upgrade being undone (the engine is stopped meanwhile)')
            [CompletionResult]::new('--from-other-cluster', '--from-other-cluster', [CompletionResultType]::ParameterName, 'With --restore: accept a backup taken in another cluster')
            [CompletionResult]::new('--no-backup', '--no-backup', [CompletionResultType]::ParameterName, 'Do not back up PostgreSQL before an engine image change')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the final result')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the final result')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (API calls, per-object decisions)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (API calls, per-object decisions)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'skyflo;template' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'The SkyfloAI spec file; repeat it for overlays, later files win (mappings merge, lists and values replace); `-` reads standard input [default: the embedded default spec]')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'The SkyfloAI spec file; repeat it for overlays, later files win (mappings merge, lists and values replace); `-` reads standard input [default: the embedded default spec]')
            [CompletionResult]::new('--set', '--set', [CompletionResultType]::ParameterName, 'One field over the files, typed as in the file, e.g. engine.replicas=3 (repeatable)')
            [CompletionResult]::new('--set-string', '--set-string', [CompletionResultType]::ParameterName, 'Like --set, but the value is always a string, e.g. engine.llm.model=openai/gpt-4o')
            [CompletionResult]::new('--registry', '--registry', [CompletionResultType]::ParameterName, 'Pull every image (PostgreSQL, Redis and init containers too) through this registry, e.g. registry.example.com/mirror; overrides spec.imageRegistry')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'The Skyflo release for every Skyflo image (UI, proxy, engine, MCP), e.g. v0.7.1; overrides spec.version. Images pinned by digest, PostgreSQL and Redis stay as they are')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file [env: KUBECONFIG; default: ~/.kube/config, or the in-cluster config inside a pod]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use [env: SKYFLO_CONTEXT]')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace to install into and read from [env: SKYFLO_NAMESPACE; default: skyflo-ai]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace to install into and read from [env: SKYFLO_NAMESPACE; default: skyflo-ai]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [env: SKYFLO_OUTPUT; default: table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [env: SKYFLO_OUTPUT; default: table]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours [default: auto; NO_COLOR turns them off]')
            [CompletionResult]::new('--include-generated-secrets', '--include-generated-secrets', [CompletionResultType]::ParameterName, 'Also print the Secrets with generated credentials (JWT secret, PostgreSQL password), freshly generated: different on every run, so never apply them to an installation')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the final result')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the final result')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (API calls, per-object decisions)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (API calls, per-object decisions)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'skyflo;images' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'The SkyfloAI spec file; repeat it for overlays, later files win (mappings merge, lists and values replace); `-` reads standard input [default: the embedded default spec]')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'The SkyfloAI spec file; repeat it for overlays, later files win (mappings merge, lists and values replace); `-` reads standard input [default: the embedded default spec]')
            [CompletionResult]::new('--set', '--set', [CompletionResultType]::ParameterName, 'One field over the files, typed as in the file, e.g. engine.replicas=3 (repeatable)')
            [CompletionResult]::new('--set-string', '--set-string', [CompletionResultType]::ParameterName, 'Like --set, but the value is always a string, e.g. engine.llm.model=openai/gpt-4o')
            [CompletionResult]::new('--registry', '--registry', [CompletionResultType]::ParameterName, 'Pull every image (PostgreSQL, Redis and init containers too) through this registry, e.g. registry.example.com/mirror; overrides spec.imageRegistry')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'The Skyflo release for every Skyflo image (UI, proxy, engine, MCP), e.g. v0.7.1; overrides spec.version. Images pinned by digest, PostgreSQL and Redis stay as they are')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file [env: KUBECONFIG; default: ~/.kube/config, or the in-cluster config inside a pod]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use [env: SKYFLO_CONTEXT]')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace to install into and read from [env: SKYFLO_NAMESPACE; default: skyflo-ai]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace to install into and read from [env: SKYFLO_NAMESPACE; default: skyflo-ai]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [env: SKYFLO_OUTPUT; default: table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [env: SKYFLO_OUTPUT; default: table]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours [default: auto; NO_COLOR turns them off]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the final result')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the final result')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (API calls, per-object decisions)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (API calls, per-object decisions)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'skyflo;support-bundle' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'The SkyfloAI name (metadata.name of the spec) [default: the namespace''s only skyflo installation, such as an adopted Helm release''s `<release>-skyflo`; else skyflo]')
            [CompletionResult]::new('--output-file', '--output-file', [CompletionResultType]::ParameterName, 'Where to write the archive [default: skyflo-support-<namespace>-<time>.tar.gz here]. (`-o` is the output format, as for every command.)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file [env: KUBECONFIG; default: ~/.kube/config, or the in-cluster config inside a pod]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use [env: SKYFLO_CONTEXT]')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace to install into and read from [env: SKYFLO_NAMESPACE; default: skyflo-ai]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace to install into and read from [env: SKYFLO_NAMESPACE; default: skyflo-ai]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [env: SKYFLO_OUTPUT; default: table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [env: SKYFLO_OUTPUT; default: table]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours [default: auto; NO_COLOR turns them off]')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Replace an existing --output-file')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the final result')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the final result')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (API calls, per-object decisions)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (API calls, per-object decisions)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'skyflo;logs' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'The SkyfloAI name (metadata.name of the spec) [default: the namespace''s only skyflo installation, such as an adopted Helm release''s `<release>-skyflo`; else skyflo]')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only lines newer than this (e.g. 10m, 1h)')
            [CompletionResult]::new('--tail', '--tail', [CompletionResultType]::ParameterName, 'The last N lines of each container')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file [env: KUBECONFIG; default: ~/.kube/config, or the in-cluster config inside a pod]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use [env: SKYFLO_CONTEXT]')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace to install into and read from [env: SKYFLO_NAMESPACE; default: skyflo-ai]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace to install into and read from [env: SKYFLO_NAMESPACE; default: skyflo-ai]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [env: SKYFLO_OUTPUT; default: table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [env: SKYFLO_OUTPUT; default: table]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours [default: auto; NO_COLOR turns them off]')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Keep streaming, and pick up pods that start later (a rollout)')
            [CompletionResult]::new('--follow', '--follow', [CompletionResultType]::ParameterName, 'Keep streaming, and pick up pods that start later (a rollout)')
            [CompletionResult]::new('--previous', '--previous', [CompletionResultType]::ParameterName, 'The log of the previous instance of each container (after a restart)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the final result')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the final result')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (API calls, per-object decisions)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (API calls, per-object decisions)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'skyflo;backup' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'The SkyfloAI name (metadata.name of the spec) [default: the namespace''s only skyflo installation, such as an adopted Helm release''s `<release>-skyflo`; else skyflo]')
            [CompletionResult]::new('--output-file', '--output-file', [CompletionResultType]::ParameterName, 'Where to write the dump (`FILE.json` goes beside it) [default: a new file in the backup directory]. (`-o` is the output format, as for every command.)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file [env: KUBECONFIG; default: ~/.kube/config, or the in-cluster config inside a pod]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use [env: SKYFLO_CONTEXT]')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace to install into and read from [env: SKYFLO_NAMESPACE; default: skyflo-ai]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace to install into and read from [env: SKYFLO_NAMESPACE; default: skyflo-ai]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [env: SKYFLO_OUTPUT; default: table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [env: SKYFLO_OUTPUT; default: table]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours [default: auto; NO_COLOR turns them off]')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Replace an existing --output-file (and its FILE.json)')
            [CompletionResult]::new('--list', '--list', [CompletionResultType]::ParameterName, 'List the installation''s backups in the backup directory instead')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the final result')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the final result')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (API calls, per-object decisions)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (API calls, per-object decisions)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'skyflo;restore' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'The SkyfloAI name (metadata.name of the spec) [default: the namespace''s only skyflo installation, such as an adopted Helm release''s `<release>-skyflo`; else skyflo]')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'How long to wait for every component to be ready (e.g. 90s, 5m) [env: SKYFLO_TIMEOUT; default: 5m]')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file [env: KUBECONFIG; default: ~/.kube/config, or the in-cluster config inside a pod]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use [env: SKYFLO_CONTEXT]')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace to install into and read from [env: SKYFLO_NAMESPACE; default: skyflo-ai]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace to install into and read from [env: SKYFLO_NAMESPACE; default: skyflo-ai]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [env: SKYFLO_OUTPUT; default: table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [env: SKYFLO_OUTPUT; default: table]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours [default: auto; NO_COLOR turns them off]')
            [CompletionResult]::new('--no-wait', '--no-wait', [CompletionResultType]::ParameterName, 'Apply and return without waiting for readiness')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('--from-other-cluster', '--from-other-cluster', [CompletionResultType]::ParameterName, 'Accept a backup taken in another cluster (its metadata names the cluster by the uid of its kube-system namespace); refused otherwise')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the final result')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the final result')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (API calls, per-object decisions)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (API calls, per-object decisions)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'skyflo;verify' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'The SkyfloAI name (metadata.name of the spec) [default: the namespace''s only skyflo installation, such as an adopted Helm release''s `<release>-skyflo`; else skyflo]')
            [CompletionResult]::new('--check', '--check', [CompletionResultType]::ParameterName, 'Run only this check (repeatable) [default: all]')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file [env: KUBECONFIG; default: ~/.kube/config, or the in-cluster config inside a pod]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use [env: SKYFLO_CONTEXT]')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace to install into and read from [env: SKYFLO_NAMESPACE; default: skyflo-ai]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace to install into and read from [env: SKYFLO_NAMESPACE; default: skyflo-ai]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [env: SKYFLO_OUTPUT; default: table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [env: SKYFLO_OUTPUT; default: table]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours [default: auto; NO_COLOR turns them off]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the final result')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the final result')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (API calls, per-object decisions)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (API calls, per-object decisions)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'skyflo;dashboard' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'The SkyfloAI name (metadata.name of the spec) [default: the namespace''s only skyflo installation, such as an adopted Helm release''s `<release>-skyflo`; else skyflo]')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'The local port; when taken, the next free one (said)')
            [CompletionResult]::new('--address', '--address', [CompletionResultType]::ParameterName, 'The local address to listen on')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file [env: KUBECONFIG; default: ~/.kube/config, or the in-cluster config inside a pod]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use [env: SKYFLO_CONTEXT]')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace to install into and read from [env: SKYFLO_NAMESPACE; default: skyflo-ai]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace to install into and read from [env: SKYFLO_NAMESPACE; default: skyflo-ai]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [env: SKYFLO_OUTPUT; default: table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [env: SKYFLO_OUTPUT; default: table]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours [default: auto; NO_COLOR turns them off]')
            [CompletionResult]::new('--no-browser', '--no-browser', [CompletionResultType]::ParameterName, 'Print the URL only; do not open a browser')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the final result')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the final result')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (API calls, per-object decisions)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (API calls, per-object decisions)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'skyflo;admin' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file [env: KUBECONFIG; default: ~/.kube/config, or the in-cluster config inside a pod]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use [env: SKYFLO_CONTEXT]')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace to install into and read from [env: SKYFLO_NAMESPACE; default: skyflo-ai]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace to install into and read from [env: SKYFLO_NAMESPACE; default: skyflo-ai]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [env: SKYFLO_OUTPUT; default: table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [env: SKYFLO_OUTPUT; default: table]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours [default: auto; NO_COLOR turns them off]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the final result')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the final result')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (API calls, per-object decisions)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (API calls, per-object decisions)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create the first admin account, through a port-forward to the engine')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'skyflo;admin;create' {
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'The SkyfloAI name (metadata.name of the spec) [default: the namespace''s only skyflo installation, such as an adopted Helm release''s `<release>-skyflo`; else skyflo]')
            [CompletionResult]::new('--email', '--email', [CompletionResultType]::ParameterName, 'The admin''s email (the login name)')
            [CompletionResult]::new('--full-name', '--full-name', [CompletionResultType]::ParameterName, 'The admin''s full name [default: the part of the email before @]')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file [env: KUBECONFIG; default: ~/.kube/config, or the in-cluster config inside a pod]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use [env: SKYFLO_CONTEXT]')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace to install into and read from [env: SKYFLO_NAMESPACE; default: skyflo-ai]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace to install into and read from [env: SKYFLO_NAMESPACE; default: skyflo-ai]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [env: SKYFLO_OUTPUT; default: table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [env: SKYFLO_OUTPUT; default: table]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours [default: auto; NO_COLOR turns them off]')
            [CompletionResult]::new('--password-stdin', '--password-stdin', [CompletionResultType]::ParameterName, 'Read the password from standard input (one line)')
            [CompletionResult]::new('--show-password', '--show-password', [CompletionResultType]::ParameterName, 'Print a generated password (it is always kept in Secret <name>-admin)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the final result')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the final result')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (API calls, per-object decisions)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (API calls, per-object decisions)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'skyflo;admin;help' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create the first admin account, through a port-forward to the engine')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'skyflo;admin;help;create' {
            break
        }
        'skyflo;admin;help;help' {
            break
        }
        'skyflo;validate' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'The SkyfloAI spec file(s) to check (later files overlay earlier ones); `-` reads standard input')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'The SkyfloAI spec file(s) to check (later files overlay earlier ones); `-` reads standard input')
            [CompletionResult]::new('--set', '--set', [CompletionResultType]::ParameterName, 'One field over the files, typed as in the file, e.g. engine.replicas=3 (repeatable)')
            [CompletionResult]::new('--set-string', '--set-string', [CompletionResultType]::ParameterName, 'Like --set, but the value is always a string, e.g. engine.llm.model=openai/gpt-4o')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file [env: KUBECONFIG; default: ~/.kube/config, or the in-cluster config inside a pod]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use [env: SKYFLO_CONTEXT]')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace to install into and read from [env: SKYFLO_NAMESPACE; default: skyflo-ai]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace to install into and read from [env: SKYFLO_NAMESPACE; default: skyflo-ai]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [env: SKYFLO_OUTPUT; default: table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [env: SKYFLO_OUTPUT; default: table]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours [default: auto; NO_COLOR turns them off]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the final result')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the final result')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (API calls, per-object decisions)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (API calls, per-object decisions)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'skyflo;completions' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file [env: KUBECONFIG; default: ~/.kube/config, or the in-cluster config inside a pod]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use [env: SKYFLO_CONTEXT]')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace to install into and read from [env: SKYFLO_NAMESPACE; default: skyflo-ai]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace to install into and read from [env: SKYFLO_NAMESPACE; default: skyflo-ai]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format [env: SKYFLO_OUTPUT; default: table]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format [env: SKYFLO_OUTPUT; default: table]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colours [default: auto; NO_COLOR turns them off]')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors and the final result')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors and the final result')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more detail (API calls, per-object decisions)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more detail (API calls, per-object decisions)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'skyflo;help' {
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Write a skyflo.yaml by answering a few questions')
            [CompletionResult]::new('install', 'install', [CompletionResultType]::ParameterValue, 'Install Skyflo, or converge an existing installation to the spec')
            [CompletionResult]::new('upgrade', 'upgrade', [CompletionResultType]::ParameterValue, 'Change an existing installation to match FILE')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show each component''s health and why it is not ready')
            [CompletionResult]::new('uninstall', 'uninstall', [CompletionResultType]::ParameterValue, 'Remove the installation; keeps its data unless --purge')
            [CompletionResult]::new('adopt', 'adopt', [CompletionResultType]::ParameterValue, 'Take over an installation made by upstream''s install.sh or Helm chart')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Check that an install would work here')
            [CompletionResult]::new('history', 'history', [CompletionResultType]::ParameterValue, 'List the installation''s revisions')
            [CompletionResult]::new('rollback', 'rollback', [CompletionResultType]::ParameterValue, 'Return to the spec of an earlier revision (default: the one before)')
            [CompletionResult]::new('template', 'template', [CompletionResultType]::ParameterValue, 'Print the Kubernetes objects a spec renders to; touches no cluster')
            [CompletionResult]::new('images', 'images', [CompletionResultType]::ParameterValue, 'List every image a spec uses, for mirroring into another registry; touches no cluster')
            [CompletionResult]::new('support-bundle', 'support-bundle', [CompletionResultType]::ParameterValue, 'Write one redacted .tar.gz a maintainer can read: status, checks, history, objects, events, pods, logs and nodes')
            [CompletionResult]::new('logs', 'logs', [CompletionResultType]::ParameterValue, 'Show the logs of every pod of the chosen components, interleaved, each line prefixed with its component and pod')
            [CompletionResult]::new('backup', 'backup', [CompletionResultType]::ParameterValue, 'Back up the in-cluster PostgreSQL to a local file (pg_dump custom format)')
            [CompletionResult]::new('restore', 'restore', [CompletionResultType]::ParameterValue, 'Restore a backup into the in-cluster PostgreSQL')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Prove that the installation works end to end, through port-forwards')
            [CompletionResult]::new('dashboard', 'dashboard', [CompletionResultType]::ParameterValue, 'Open the UI in the browser through a port-forward made with your own credentials')
            [CompletionResult]::new('admin', 'admin', [CompletionResultType]::ParameterValue, 'Accounts of the installation: create the first admin')
            [CompletionResult]::new('validate', 'validate', [CompletionResultType]::ParameterValue, 'Check a spec file and print every problem in it')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print shell completions for SHELL to stdout')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'skyflo;help;init' {
            break
        }
        'skyflo;help;install' {
            break
        }
        'skyflo;help;upgrade' {
            break
        }
        'skyflo;help;status' {
            break
        }
        'skyflo;help;uninstall' {
            break
        }
        'skyflo;help;adopt' {
            break
        }
        'skyflo;help;check' {
            break
        }
        'skyflo;help;history' {
            break
        }
        'skyflo;help;rollback' {
            break
        }
        'skyflo;help;template' {
            break
        }
        'skyflo;help;images' {
            break
        }
        'skyflo;help;support-bundle' {
            break
        }
        'skyflo;help;logs' {
            break
        }
        'skyflo;help;backup' {
            break
        }
        'skyflo;help;restore' {
            break
        }
        'skyflo;help;verify' {
            break
        }
        'skyflo;help;dashboard' {
            break
        }
        'skyflo;help;admin' {
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create the first admin account, through a port-forward to the engine')
            break
        }
        'skyflo;help;admin;create' {
            break
        }
        'skyflo;help;validate' {
            break
        }
        'skyflo;help;completions' {
            break
        }
        'skyflo;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
