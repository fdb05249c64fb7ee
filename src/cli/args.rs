//! The command line, as clap definitions. The names here are the public
//! interface of scripts; keep them stable.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::api::params::{SortDirection, SortField};
use crate::graphics::ProtocolChoice;

#[derive(Debug, Parser)]
#[command(
    name = "assetui",
    version,
    about = "Browse, search, tag and download Scenario assets from the terminal",
    long_about = "Browse, search, tag and download Scenario assets from the terminal.\n\n\
        Credentials come from --api-key/--api-secret, then SCENARIO_SDK_API_KEY and \
        SCENARIO_SDK_API_SECRET (or SCENARIO_SDK_JWT), then the config file written by \
        `assetui login`. SCENARIO_BASE_URL or --base-url points at another server.",
    after_help = "Examples:\n  \
        assetui list --type upscale --limit 20\n  \
        assetui search \"red castle\" --filter 'kind = \"image\"' --json\n  \
        assetui search --like asset_abc --unlike ./reference.png\n  \
        assetui tag asset_abc asset_def --add hero --remove draft\n  \
        assetui get asset_abc --json | jq .metadata.prompt"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The options every command takes: under their own heading in each
/// command's `--help`, after the command's own.
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// The asset service: scenario or twelvelabs. Default: the profile's `provider`,
    /// else scenario
    #[arg(
        long,
        global = true,
        value_name = "NAME",
        env = "ASSETUI_PROVIDER",
        value_parser = parse_provider
    )]
    pub provider: Option<crate::provider::ProviderKind>,

    /// API base URL [env: SCENARIO_BASE_URL, or TWELVELABS_BASE_URL on TwelveLabs]
    /// [default: https://api.cloud.scenario.com/v1, https://api.twelvelabs.io/v1.3]
    #[arg(long, global = true, value_name = "URL")]
    pub base_url: Option<String>,

    /// API key (prefer SCENARIO_SDK_API_KEY, TWELVE_LABS_API_KEY or `assetui login`: flags
    /// show in `ps`)
    #[arg(long, global = true, value_name = "KEY")]
    pub api_key: Option<String>,

    /// API secret (prefer SCENARIO_SDK_API_SECRET or `assetui login`)
    #[arg(long, global = true, value_name = "SECRET", hide_env_values = true)]
    pub api_secret: Option<String>,

    /// Profile of the config file to use
    #[arg(long, global = true, value_name = "NAME")]
    pub profile: Option<String>,

    /// Use the built-in demo library (the default when no credentials are set). It keeps
    /// its changes (tags, uploads, deletions, collections) between runs in
    /// $XDG_DATA_HOME/assetui/demo
    #[arg(long, global = true)]
    pub demo: bool,

    /// Start the demo library over: forget the changes it kept, then use it
    #[arg(long, global = true)]
    pub demo_reset: bool,

    /// More detail on stderr (-v requests, -vv everything)
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// How the browser draws images: auto asks the terminal; kitty, sixel, iterm2 or
    /// halfblocks force one (e.g. when auto-detection fails inside tmux); none turns
    /// images off. Default: `image_protocol` in config.toml, else auto. `assetui doctor`
    /// shows what auto finds
    #[arg(
        long,
        global = true,
        value_enum,
        value_name = "PROTOCOL",
        env = "ASSETUI_IMAGE_PROTOCOL"
    )]
    pub image_protocol: Option<ProtocolChoice>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List assets, newest first, with filters
    List(ListArgs),
    /// Show one or more assets in full
    Get(GetArgs),
    /// Search by text, filter expression or image similarity
    Search(SearchArgs),
    /// Add or remove tags on assets
    Tag(TagArgs),
    /// List the tags in use, with how many assets carry each (at most 5000;
    /// a warning says when the server has more)
    Tags(JsonOnly),
    /// List the collections (at most 5000; a warning says when there are
    /// more)
    Collections(JsonOnly),
    /// TwelveLabs: list the indexes (search runs over one: `search --index ID`)
    Indexes(JsonOnly),
    /// Add assets to a collection (or remove them with --remove)
    Collect(CollectArgs),
    /// Upload files as new assets: images, audio, video, 3D models, text
    Upload(UploadArgs),
    /// Delete assets (asks first on a terminal)
    Delete(DeleteArgs),
    /// Download assets: resumable, never overwrites a file, never writes outside --out
    Download(DownloadArgs),
    /// Save an API key and secret to the config file
    Login(LoginArgs),
    /// Print a shell completion script
    Completions(CompletionsArgs),
    /// Run the Scenario-compatible server with the demo library
    Serve(ServeArgs),
    /// Check the terminal, image protocol, config, credentials and API (exit 1 if the API does not answer)
    Doctor(DoctorArgs),
    /// Show an asset's family tree: its root, then each generation of children
    Tree(TreeArgs),
    /// The local index of the assets the browser has seen (its offline start): show or empty it
    Cache(CacheArgs),
    /// Mirror a listing or a search into a folder: new and changed assets
    /// fetched, the rest left alone; run it again to bring it up to date
    Sync(SyncArgs),
}

#[derive(Debug, Args)]
pub struct CacheArgs {
    #[command(subcommand)]
    pub command: CacheCommand,
}

#[derive(Debug, Subcommand)]
pub enum CacheCommand {
    /// The index's file, size, bound, and the assets of each library
    Info {
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Empty the index (every library); thumbnails stay in their own cache
    Clear,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Name tokens (--name): <id> <seed> <num> <prompt> <generator> <description> \
    <type> <date>; a `/` makes a subdirectory; the extension comes from the content.\n\n\
    The folder's state is DIR/.assetui-sync.sqlite. A file sync wrote and nobody changed is \
    replaced when its asset changes; one edited since is kept and the new one placed beside it.\n\n\
    Examples:\n  \
    assetui sync ./heroes --collection col_heroes\n  \
    assetui sync ./upscales --type upscale --name '<date>/<prompt>' --sidecar\n  \
    assetui sync ./castles --search castle --filter 'kind = \"image\"' --delete\n  \
    assetui sync ./heroes --collection col_heroes --watch 300   # every 5 minutes until Ctrl-C"
)]
pub struct SyncArgs {
    /// The folder to mirror into (created if missing)
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    #[command(flatten)]
    pub filters: ListFilters,
    /// Mirror a search instead of a listing: words in prompts, names, tags
    /// and descriptions
    #[arg(long, value_name = "QUERY", conflicts_with_all = [
        "types", "privacy", "author", "collection", "tags", "model", "inference",
        "parent", "root", "created_after", "created_before",
    ])]
    pub search: Option<String>,
    /// With --search: a filter expression, e.g. 'kind = "image"'
    #[arg(long, value_name = "EXPR", requires = "search")]
    pub filter: Option<String>,
    /// File name template [default: [downloads] name of the config, else <id>]
    #[arg(long = "name", value_name = "TEMPLATE")]
    pub template: Option<String>,
    /// Convert to this format on the server (targetFormat: png, jpeg, webp, …)
    #[arg(long, value_name = "FORMAT")]
    pub format: Option<String>,
    /// Write FILE.json beside each file: the asset's full JSON
    #[arg(long)]
    pub sidecar: bool,
    /// Remove the files of assets that left the source (only files sync
    /// wrote and nobody changed); without it they are reported and kept
    #[arg(long)]
    pub delete: bool,
    /// Say what would be fetched, replaced and removed; write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Run again every SECONDS until Ctrl-C or SIGTERM
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..))]
    pub watch: Option<u64>,
    /// Downloads at once [default: [downloads] jobs of the config, else 3]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=64))]
    pub jobs: Option<u16>,
    /// Print each file's outcome and the summary as JSON (one object per run)
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct TreeArgs {
    /// Any asset of the family
    #[arg(value_name = "ID")]
    pub id: String,
    /// Print nested JSON: each node's asset under `asset`, its children under `children`
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
    assetui serve --addr 127.0.0.1:0\n  \
    assetui serve --data ./demo-state --scale 100000\n  \
    assetui serve --faults 429=0.1,500=0.05,reset=0.02,truncate=0.02,stall=0.01 --latency 200\n  \
    SCENARIO_BASE_URL=http://127.0.0.1:8787/v1 assetui list\n  \
    assetui serve --provider twelvelabs --auth tlk_local   # TwelveLabs' API under /v1.3")]
pub struct ServeArgs {
    /// Address to listen on (port 0 picks a free port)
    #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:8787")]
    pub addr: std::net::SocketAddr,
    /// Keep every change (tags, uploads, deletions, collections) in this directory
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// Add N synthetic assets (deterministic) to the demo library
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub scale: u64,
    /// Require these credentials: scenario KEY:SECRET (Basic, or a bearer token equal to
    /// SECRET); twelvelabs KEY (the x-api-key header)
    #[arg(long, value_name = "KEY:SECRET|KEY")]
    pub auth: Option<String>,
    /// Misbehave on purpose: KIND=RATE,... with KIND an HTTP status, reset, truncate or stall
    #[arg(long, value_name = "SPEC", value_parser = parse_faults)]
    pub faults: Option<crate::server::faults::FaultSpec>,
    /// Add this many milliseconds to every request
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub latency: u64,
    /// Lifetime of signed file links, in seconds
    #[arg(long, value_name = "SECS", default_value_t = 86_400)]
    pub url_ttl: u64,
    /// Add one asset named large-file of SIZE bytes (e.g. 1GiB, 512MiB), streamed from a
    /// deterministic generator (for download tests and benchmarks)
    #[arg(long, value_name = "SIZE", value_parser = crate::server::generated::parse_size)]
    pub large_asset: Option<u64>,
    /// Add N generated assets of SIZE bytes each (default 32KiB), e.g. 2000:16KiB
    #[arg(long, value_name = "N[:SIZE]", value_parser = crate::server::generated::parse_small)]
    pub small_assets: Option<(u64, u64)>,
    /// Replace the large asset's content (same size, new ETag) after every N requests of it
    #[arg(long, value_name = "N", requires = "large_asset")]
    pub replace_every: Option<u64>,
}

fn parse_provider(s: &str) -> Result<crate::provider::ProviderKind, String> {
    s.parse()
}

pub fn parse_auth(s: &str) -> Result<(String, String), String> {
    match s.split_once(':') {
        Some((k, v)) if !k.is_empty() && !v.is_empty() => Ok((k.to_string(), v.to_string())),
        _ => Err("expected KEY:SECRET".into()),
    }
}

fn parse_faults(s: &str) -> Result<crate::server::faults::FaultSpec, String> {
    crate::server::faults::FaultSpec::parse(s)
}

/// How results are printed.
#[derive(Debug, Args, Clone, Copy, Default)]
pub struct OutputArgs {
    /// Print the server's JSON objects unchanged, as one array
    #[arg(long, conflicts_with = "jsonl")]
    pub json: bool,
    /// Print one JSON object per line, streamed page by page
    #[arg(long)]
    pub jsonl: bool,
}

/// The list endpoint's filters, shared by `list` and `sync`.
#[derive(Debug, Args, Clone, Default)]
pub struct ListFilters {
    /// Only this asset type (repeat for several, sent as `types`)
    #[arg(long = "type", value_name = "TYPE")]
    pub types: Vec<String>,
    /// private, public (every team's public assets) or unlisted
    #[arg(long, value_parser = ["private", "public", "unlisted"])]
    pub privacy: Option<String>,
    /// Only assets made by this user id
    #[arg(long, value_name = "ID")]
    pub author: Option<String>,
    /// Only assets in this collection
    #[arg(long, value_name = "ID")]
    pub collection: Option<String>,
    /// Comma-separated tags (public assets only; use `search --filter` for your team's tags)
    #[arg(long, value_name = "T1,T2", value_delimiter = ',')]
    pub tags: Vec<String>,
    /// Only assets generated with this model
    #[arg(long, value_name = "ID")]
    pub model: Option<String>,
    /// Only assets from this inference
    #[arg(long, value_name = "ID")]
    pub inference: Option<String>,
    /// Only direct children of this asset
    #[arg(long, value_name = "ID")]
    pub parent: Option<String>,
    /// Only descendants of this root asset
    #[arg(long, value_name = "ID")]
    pub root: Option<String>,
    /// Created after this ISO date (sorts by createdAt)
    #[arg(long, value_name = "TS")]
    pub created_after: Option<String>,
    /// Created before this ISO date (sorts by createdAt)
    #[arg(long, value_name = "TS")]
    pub created_before: Option<String>,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub filters: ListFilters,
    /// Sort field
    #[arg(long, value_enum)]
    pub sort: Option<SortField>,
    /// Sort order
    #[arg(long, value_enum)]
    pub order: Option<SortDirection>,
    /// Assets per request (1-100; at most 50 on TwelveLabs)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=100))]
    pub page_size: Option<u32>,
    /// TwelveLabs: only assets whose file name contains this
    #[arg(long, value_name = "TEXT")]
    pub filename: Option<String>,
    #[command(flatten)]
    pub limit: LimitArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args, Clone, Copy)]
pub struct LimitArgs {
    /// Stop after N results [default: 50]
    #[arg(long, value_name = "N", conflicts_with = "all")]
    pub limit: Option<u64>,
    /// Every result, page after page, up to 100000 (more: --limit N).
    /// A server that sends a page token twice ends the list with a warning
    #[arg(long)]
    pub all: bool,
}

impl LimitArgs {
    pub const DEFAULT: u64 = 50;
    /// The most `--all` prints; it then fails saying so (`--limit N` for
    /// more).
    pub const ALL_CAP: u64 = 100_000;

    /// The most results to print.
    pub fn max(&self) -> u64 {
        if self.all {
            Self::ALL_CAP
        } else {
            self.limit.unwrap_or(Self::DEFAULT)
        }
    }

    /// How a walk that printed the most it may ends: `--all` fails
    /// saying so when results were left (`cut`); a `--limit` asked for
    /// exactly that many.
    pub fn check_cut(&self, cut: bool, noun: &str) -> Result<(), super::CliError> {
        if cut && self.all {
            return Err(super::CliError::Failed(format!(
                "stopped after {} {noun}, the most `--all` prints; pass --limit N for more",
                self.max()
            )));
        }
        Ok(())
    }
}

#[derive(Debug, Args)]
pub struct GetArgs {
    /// Asset ids (several are fetched in bulk)
    #[arg(required = true, value_name = "ID")]
    pub ids: Vec<String>,
    /// Print the server's JSON unchanged
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// Words to search for in prompts, names, tags and descriptions
    pub query: Option<String>,
    /// Filter expression, e.g. 'kind = "image" AND tags IN ["hero"]'
    #[arg(long, value_name = "EXPR")]
    pub filter: Option<String>,
    /// Find images like this one (asset id or local image file)
    #[arg(long, value_name = "REF", conflicts_with_all = ["like", "unlike"])]
    pub image: Option<String>,
    /// More like this (asset id or image file; repeatable)
    #[arg(long, value_name = "REF")]
    pub like: Vec<String>,
    /// Less like this (asset id or image file; repeatable)
    #[arg(long, value_name = "REF")]
    pub unlike: Vec<String>,
    /// Weight of meaning over keywords for the query, 0 to 1
    #[arg(long, value_name = "R")]
    pub semantic_ratio: Option<f64>,
    /// Weight of the image embedding, 0 to 1
    #[arg(long, value_name = "R")]
    pub image_ratio: Option<f64>,
    /// Sort by FIELD:asc or FIELD:desc (repeatable)
    #[arg(long, value_name = "FIELD:DIR", value_parser = parse_sort)]
    pub sort: Vec<String>,
    /// Search public assets of every team
    #[arg(long)]
    pub public: bool,
    #[command(flatten)]
    pub limit: LimitArgs,
    /// TwelveLabs: the index to search (`assetui indexes` lists them)
    #[arg(long, value_name = "ID")]
    pub index: Option<String>,
    #[command(flatten)]
    pub output: OutputArgs,
}

fn parse_sort(s: &str) -> Result<String, String> {
    match s.rsplit_once(':') {
        Some((field, "asc" | "desc")) if !field.is_empty() => Ok(s.to_string()),
        _ => Err("expected FIELD:asc or FIELD:desc, e.g. createdAt:desc".into()),
    }
}

#[derive(Debug, Args)]
pub struct TagArgs {
    /// Asset ids
    #[arg(required = true, value_name = "ID")]
    pub ids: Vec<String>,
    /// Tag to add (repeatable)
    #[arg(long, value_name = "TAG")]
    pub add: Vec<String>,
    /// Tag to remove (repeatable)
    #[arg(long, value_name = "TAG")]
    pub remove: Vec<String>,
    /// Fail when a tag to add is already there or one to remove is missing
    #[arg(long)]
    pub strict: bool,
    /// TwelveLabs: set user metadata KEY=VALUE (repeatable; numbers and true/false kept
    /// as such)
    #[arg(long, value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// TwelveLabs: remove this user metadata key (repeatable)
    #[arg(long, value_name = "KEY")]
    pub unset: Vec<String>,
    /// TwelveLabs: remove all user metadata of each asset
    #[arg(long, conflicts_with_all = ["set", "unset", "add", "remove"])]
    pub clear: bool,
    /// Print the server's answers as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct JsonOnly {
    /// Print the server's JSON objects unchanged, as one array
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct UploadArgs {
    /// Files: images (under 6 MiB in one request), and any size of image,
    /// audio, video, 3D model or text through multipart uploads (the kind
    /// is read from the content); on TwelveLabs, video, audio and image files
    #[arg(value_name = "FILE", required_unless_present = "url")]
    pub files: Vec<PathBuf>,
    /// TwelveLabs: have the service fetch this http(s) URL (repeatable)
    #[arg(long, value_name = "URL")]
    pub url: Vec<String>,
    /// Name of the new asset (one file only; default: the file name)
    #[arg(long, value_name = "N")]
    pub name: Option<String>,
    /// Add to this collection (repeatable)
    #[arg(long, value_name = "ID")]
    pub collection: Vec<String>,
    /// Parent asset of the upload
    #[arg(long, value_name = "ID")]
    pub parent: Option<String>,
    /// Hide the new asset
    #[arg(long)]
    pub hide: bool,
    /// Print the new assets as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
    assetui collect col_heroes asset_abc asset_def\n  \
    assetui collect col_heroes asset_abc --remove")]
pub struct CollectArgs {
    /// The collection's id (`assetui collections` lists them)
    #[arg(value_name = "COLLECTION")]
    pub collection: String,
    /// Asset ids
    #[arg(required = true, value_name = "ID")]
    pub ids: Vec<String>,
    /// Remove the assets from the collection instead
    #[arg(long)]
    pub remove: bool,
    /// Print the outcome as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct DeleteArgs {
    /// Asset ids
    #[arg(required = true, value_name = "ID")]
    pub ids: Vec<String>,
    /// Do not ask (required without a terminal)
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// TwelveLabs: delete even when an index uses the asset (unlinks it)
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Name tokens: <id> <seed> <num> <prompt> <generator> <description> <type> <date>; \
    a `/` makes a subdirectory; the extension comes from the content.\n\n\
    Examples:\n  \
    assetui download asset_abc asset_def --out ./renders\n  \
    assetui download asset_abc --format png --name '<type>/<date>_<prompt>'\n  \
    assetui list --type upscale --jsonl | jq -r .id | xargs assetui download --jobs 8\n  \
    assetui download asset_abc asset_def --zip --extract --out ./batch\n  \
    assetui download --resume            # after a crash, Ctrl-C or kill"
)]
pub struct DownloadArgs {
    /// Asset ids
    #[arg(value_name = "ID", required_unless_present = "resume")]
    pub ids: Vec<String>,
    /// Convert to this format on the server (targetFormat: png, jpeg, webp, …)
    #[arg(long, value_name = "FORMAT")]
    pub format: Option<String>,
    /// Directory to write into, created if missing [default: [downloads] dir of the config, else ~/Downloads, else .]
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// File name template [default: [downloads] name of the config, else <id>]
    #[arg(long = "name", value_name = "TEMPLATE")]
    pub template: Option<String>,
    /// Downloads at once [default: [downloads] jobs of the config, else 3]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=64))]
    pub jobs: Option<u16>,
    /// One zip built by the server (batch job) instead of separate files
    #[arg(long, conflicts_with = "format")]
    pub zip: bool,
    /// Unpack the zip into --out (no entry escapes it, no symlinks)
    #[arg(long, requires = "zip")]
    pub extract: bool,
    /// Carry on with downloads an earlier run left unfinished
    #[arg(long, conflicts_with = "zip")]
    pub resume: bool,
    /// Print the results as a JSON array
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct LoginArgs {}

#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  \
    assetui doctor\n  \
    assetui doctor --json | jq .api\n  \
    assetui --image-protocol kitty doctor")]
pub struct DoctorArgs {
    /// Print the facts as one JSON object
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// bash, zsh, fish, elvish or powershell
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}
