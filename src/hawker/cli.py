"""The `hawker` command: serve, worker, migrate, demo, checks and admin tasks."""

from __future__ import annotations

import asyncio
import gc
import os
import signal
import sys
from typing import Annotated

import typer
from rich.console import Console

from hawker.config import Settings
from hawker.schema import DatabaseNotMigrated, ensure_migrated, redact, upgrade

app = typer.Typer(help="Hawker: open-source live commerce.", no_args_is_help=True)
console = Console(stderr=True)


def _settings() -> Settings:
    return Settings()


def _require_migrated(settings: Settings) -> None:
    try:
        asyncio.run(ensure_migrated(settings.database_url))
    except DatabaseNotMigrated as exc:
        console.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(code=1) from exc


GC_YOUNG_THRESHOLD = 50_000  # allocations between young collections (Python's default: 700)


def app_factory():  # type: ignore[no-untyped-def]
    """uvicorn --factory entrypoint."""
    from hawker.app import create_app
    from hawker.flash.buy import BuyRoute

    app = create_app()
    _tune_gc()
    return BuyRoute(app, app)  # flash deals' buy presses skip the framework entirely


def _tune_gc() -> None:
    """A server process allocates fast and keeps what it loaded at start: what exists now
    (modules, models, compiled statements) leaves the collector's generations for good, and
    young collections run less often, so full collections stop pausing the event loop for
    tens of milliseconds in the middle of a rush (measured: p99 of flash purchases at
    2,000/s fell from 358 to 106 ms)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_YOUNG_THRESHOLD, 50, 1000)


@app.command()
def migrate() -> None:
    """Create or upgrade the database schema to the latest migration."""
    settings = _settings()
    path = settings.sqlite_path()
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    upgrade(settings.database_url)
    console.print(f"[green]Database at {redact(settings.database_url)} is up to date.[/green]")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Server processes (PostgreSQL only).")] = 1,
) -> None:
    """Serve the API, web pages and (embedded default) background jobs."""
    import uvicorn

    settings = _settings()
    _require_migrated(settings)
    if workers > 1 and settings.is_sqlite:
        console.print("[red]Several server processes need PostgreSQL (HAWKER_DATABASE_URL).[/red]")
        raise typer.Exit(code=2)
    console.print(f"Hawker at [bold]http://{host}:{port}[/bold] (API docs at /docs)")
    uvicorn.run(
        "hawker.cli:app_factory",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        # live flash deals' buy presses are answered in the HTTP protocol (hawker.flash.lane)
        http="hawker.flash.lane:FlashLaneProtocol",
        # live rooms write their frames straight to viewers' sockets (hawker.live.transport)
        ws="hawker.live.uvicorn_protocol:RoomWebSocketProtocol",
    )


@app.command()
def worker(
    concurrency: Annotated[int, typer.Option(help="Job batch size per round.")] = 50,
) -> None:
    """Run background jobs (outbox dispatch, handlers, timers) until stopped."""
    from hawker import tasks
    from hawker.outbox.runner import JobRunner
    from hawker.runtime import Runtime

    settings = _settings()
    _require_migrated(settings)

    async def main() -> None:
        tasks.register_all()
        rt = Runtime.build(settings)
        runner = JobRunner(rt, batch=concurrency)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        console.print(f"worker {runner.worker_id} started")
        try:
            await runner.run_forever(stop)
        finally:
            await rt.close()

    asyncio.run(main())


@app.command()
def demo(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    reset: Annotated[bool, typer.Option(help="Delete the demo database and media first.")] = False,
    serve_after: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Serve when seeded.")
    ] = True,
    buyers: Annotated[int, typer.Option(help="How many buyers to seed.")] = 200,
    orders: Annotated[int, typer.Option(help="How many checkouts to seed.")] = 160,
) -> None:
    """Migrate, seed a demo market (once), and serve it."""
    import shutil

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.table import Table

    from hawker.app import create_app
    from hawker.demo import seed as demo_seed
    from hawker.demo.data import PENDING_SHOP, SHOPS
    from hawker.kit.clock import FrozenClock, SystemClock
    from hawker.runtime import Runtime

    settings = _settings()
    path = settings.sqlite_path()
    if reset:
        if path is None:
            console.print("[red]--reset only deletes the embedded SQLite database.[/red]")
            raise typer.Exit(code=2)
        for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            p.unlink(missing_ok=True)
        shutil.rmtree(settings.media_dir, ignore_errors=True)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    console.print("Migrating the database ...")
    upgrade(settings.database_url)

    async def run_seed() -> demo_seed.Seeded | None:
        clock = FrozenClock(SystemClock().now())
        rt = Runtime.build(settings.model_copy(update={"run_jobs_in_process": False}), clock)
        try:
            if await demo_seed.is_seeded(rt):
                return None
            app = create_app(rt, check_migrations=False)
            n_products = sum(len(s.products) for s in SHOPS)
            with Progress(
                TextColumn("{task.description:<10}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=console,
            ) as progress:
                tasks = {
                    "shops": progress.add_task("shops", total=len(SHOPS) + 1),
                    "products": progress.add_task("products", total=n_products),
                    "stock": progress.add_task("stock", total=n_products),
                    "videos": progress.add_task("videos", total=13),
                    "lives": progress.add_task("lives", total=6),
                    "buyers": progress.add_task("buyers", total=buyers),
                    "orders": progress.add_task("orders", total=orders),
                    "shipping": progress.add_task("shipping", total=1),
                }

                def step(name: str, n: int) -> None:
                    progress.advance(tasks[name], n)

                return await demo_seed.seed(rt, app, clock, step, buyers=buyers, orders=orders)
        finally:
            await rt.close()

    seeded = asyncio.run(run_seed())
    if seeded is None:
        console.print("The demo market is already seeded (use --reset to start again).")
    else:
        statuses = ", ".join(f"{k} {v}" for k, v in sorted(seeded.orders_by_status.items()))
        console.print(
            f"[green]Seeded {len(seeded.shops)} shops, {len(seeded.products)} products, "
            f"{seeded.buyers} buyers; orders: {statuses}.[/green]"
        )
    table = Table(title=f"Demo accounts (password: {demo_seed.PASSWORD})")
    table.add_column("role")
    table.add_column("email")
    table.add_row("operator", demo_seed.OPERATOR_EMAIL)
    table.add_row("buyer", demo_seed.BUYER_EMAIL)
    table.add_row("creator", demo_seed.CREATOR_EMAIL)
    table.add_row("seller", f"{demo_seed.owner_email(SHOPS[0])} ({SHOPS[0].name})")
    table.add_row("seller", f"{demo_seed.owner_email(PENDING_SHOP)} (awaiting review)")
    console.print(table)
    if serve_after:
        # the served demo keeps its live rooms busy with simulated viewers
        os.environ["HAWKER_DEMO_SIMULATION"] = "true"
        serve(host=host, port=port, workers=1)


@app.command("carrier-sim")
def carrier_sim(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[
        int, typer.Option(help="Port to listen on (Hawker's HAWKER_CARRIER_SIM_URL).")
    ] = 8900,
    webhook_url: Annotated[
        str | None,
        typer.Option(help="Hawker's base URL for tracking webhooks (default: base_url)."),
    ] = None,
    delay_scale: Annotated[
        float, typer.Option(help="Multiply the journey's delays: 1 is real hours, 0.001 fast.")
    ] = 1.0,
    tick_seconds: Annotated[float, typer.Option(help="How often due events are sent.")] = 0.5,
    faults: Annotated[
        bool, typer.Option("--faults/--no-faults", help="Failed attempts, duplicates, late events.")
    ] = True,
    test_hooks: Annotated[
        bool, typer.Option("--test-hooks/--no-test-hooks", help="Serve the /_sim test hooks.")
    ] = True,
    seed: Annotated[int | None, typer.Option(help="Seed the simulator's randomness.")] = None,
) -> None:
    """Run the carrier SIMULATOR: a separate HTTP service that behaves like a carrier."""
    import uvicorn

    from hawker.logistics.simulator.app import SimConfig, create_simulator_app
    from hawker.logistics.simulator.engine import Faults

    settings = _settings()
    config = SimConfig(
        webhook_url=webhook_url or settings.base_url,
        default_secret=settings.carrier_sim_secret,
        delay_scale=delay_scale,
        auto=True,
        tick_seconds=tick_seconds,
        test_hooks=test_hooks,
        faults=Faults() if faults else Faults(3, 0.0, 0.0, 0.0),
        seed=seed,
    )
    console.print(
        f"Carrier simulator at [bold]http://{host}:{port}[/bold] "
        f"(webhooks to {config.webhook_url}, delays x{delay_scale})"
    )
    uvicorn.run(create_simulator_app(config), host=host, port=port, log_level="info")


users_app = typer.Typer(help="Manage user accounts.", no_args_is_help=True)
app.add_typer(users_app, name="users")


@users_app.command("create")
def users_create(
    email: Annotated[str, typer.Option(help="Login email.")],
    role: Annotated[str, typer.Option(help="buyer, creator or operator.")] = "operator",
    name: Annotated[str, typer.Option(help="Display name.")] = "Operator",
    password: Annotated[
        str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)
    ] = "",
) -> None:
    """Create an account; operators can only be created this way."""
    from hawker.accounts import service as accounts
    from hawker.errors import HawkerError
    from hawker.models import UserRole
    from hawker.runtime import Runtime

    settings = _settings()
    _require_migrated(settings)
    if role not in {r.value for r in UserRole}:
        console.print(f"[red]Unknown role {role!r}.[/red]")
        raise typer.Exit(code=2)
    if len(password) < settings.password_min_length:
        console.print(f"[red]The password needs {settings.password_min_length}+ characters.[/red]")
        raise typer.Exit(code=2)

    async def create() -> int:
        rt = Runtime.build(settings)
        try:
            async with rt.db.session() as s:
                user = await accounts.create_user(
                    s,
                    email=email,
                    password=password,
                    display_name=name,
                    role=UserRole(role),
                    now=rt.clock.now(),
                    hash_profile=settings.password_hash_profile,
                )
                accounts.audit(
                    s,
                    actor_id=None,
                    action="user.created_from_cli",
                    target_type="user",
                    target_id=user.id,
                    now=rt.clock.now(),
                    details={"role": role},
                )
                return user.id
        finally:
            await rt.close()

    try:
        user_id = asyncio.run(create())
    except HawkerError as exc:
        console.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(code=1) from exc
    console.print(f"[green]Created {role} {email} (id {user_id}).[/green]")


inventory_app = typer.Typer(help="Stock figures.", no_args_is_help=True)
app.add_typer(inventory_app, name="inventory")
ledger_app = typer.Typer(help="The double-entry ledger.", no_args_is_help=True)
app.add_typer(ledger_app, name="ledger")


def _report_problems(problems: list[str], what: str) -> None:
    """Print the outcome of a check; exit 1 when anything is wrong."""
    out = Console()
    if problems:
        out.print(f"[red]{len(problems)} problem(s) found in the {what}:[/red]")
        for problem in problems:
            out.print(f"  - {problem}", markup=False)
        raise typer.Exit(code=1)
    out.print(f"[green]Every {what} invariant holds.[/green]")


@inventory_app.command("check")
def inventory_check() -> None:
    """Check stock: 0 <= reserved <= on_hand, movements and allocations add up to the figures."""
    from rich.table import Table

    from hawker.inventory import service as inventory
    from hawker.runtime import Runtime

    settings = _settings()
    _require_migrated(settings)

    async def run() -> inventory.InventoryCheck:
        rt = Runtime.build(settings)
        try:
            async with rt.db.read_session() as s:
                return await inventory.inventory_check(s)
        finally:
            await rt.close()

    report = asyncio.run(run())
    table = Table(title="Inventory check")
    table.add_column("checked")
    table.add_column("rows", justify="right")
    table.add_row("stock rows (SKU x warehouse)", str(report.stock_rows))
    table.add_row("stock movements", str(report.movements))
    table.add_row("order allocations", str(report.allocations))
    Console().print(table)
    _report_problems(report.problems, "stock")


@ledger_app.command("check")
def ledger_check() -> None:
    """Check the ledger: every entry balances; per currency all balances sum to zero."""
    from rich.table import Table

    from hawker.payments import service as payments
    from hawker.runtime import Runtime

    settings = _settings()
    _require_migrated(settings)

    async def run() -> payments.LedgerCheck:
        rt = Runtime.build(settings)
        try:
            async with rt.db.read_session() as s:
                return await payments.ledger_check(s)
        finally:
            await rt.close()

    report = asyncio.run(run())
    out = Console()
    counts = Table(title="Ledger check")
    counts.add_column("checked")
    counts.add_column("rows", justify="right")
    counts.add_row("journal entries", str(report.entries))
    counts.add_row("postings", str(report.postings))
    counts.add_row("accounts", str(report.accounts))
    out.print(counts)
    balances = Table(title="Balances per currency (minor units, debit +)")
    for column in ("currency", "asset", "liability", "equity", "revenue", "expense", "total"):
        balances.add_column(column, justify="left" if column == "currency" else "right")
    for currency, by_kind in sorted(report.totals.items()):
        kinds = ("asset", "liability", "equity", "revenue", "expense")
        balances.add_row(
            currency,
            *(str(by_kind.get(kind, 0)) for kind in kinds),
            str(sum(by_kind.values())),
        )
    out.print(balances)
    _report_problems(report.problems, "ledger")


def main() -> None:
    sys.exit(app())


if __name__ == "__main__":
    main()
