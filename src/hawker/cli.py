"""The `hawker` command: serve, worker, migrate, demo, checks and admin tasks."""

from __future__ import annotations

import asyncio
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


def app_factory():  # type: ignore[no-untyped-def]
    """uvicorn --factory entrypoint."""
    from hawker.app import create_app

    return create_app()


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


def main() -> None:
    sys.exit(app())
