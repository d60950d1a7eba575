"""Dashboards for supervisors and admins, signed in through the agent workspace: the service
centre's numbers (``insights``) and the compute footprint — cooling mode and PUE by month on
each site, and the sites side by side."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import lru_cache
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from parceldesk.domain.agents import Agent
from parceldesk.domain.errors import InvalidInput, ParceldeskError
from parceldesk.footprint.cooling import MODES, CoolingDesign
from parceldesk.footprint.plan import make_plan
from parceldesk.footprint.sites import load_cities, load_site
from parceldesk.footprint.workload import Workload
from parceldesk.services.agents import get_signed_in_agent
from parceldesk.services.context import Context
from parceldesk.web.agent import CSRF_SCOPE, SESSION_COOKIE
from parceldesk.web.charts import lines, stacked_bars
from parceldesk.web.forms import render_page
from parceldesk.web.insights import (
    MakeReport,
    behind,
    check_period,
    csv_response,
    export_csv,
    overview,
)

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MAX_SITES = 4


def build_dashboard(
    ctx: Context, list_sites: Callable[[], dict[str, str]], report_for: MakeReport
) -> APIRouter:
    """``list_sites``: the sites one may pick, name -> packaged name or site file;
    ``report_for``: the report of conversations started in [since, until)."""
    boards = Dashboards(ctx, list_sites, report_for)
    router = APIRouter(prefix="/dashboard", include_in_schema=False)
    router.add_api_route("", boards.numbers, methods=["GET"])
    router.add_api_route("/conversations", boards.conversations, methods=["GET"])
    router.add_api_route("/export.csv", boards.export, methods=["GET"])
    router.add_api_route("/footprint", boards.footprint, methods=["GET"])
    return router


class Dashboards:
    def __init__(
        self, ctx: Context, list_sites: Callable[[], dict[str, str]], report_for: MakeReport
    ) -> None:
        self.ctx, self.list_sites, self.report_for = ctx, list_sites, report_for

    async def numbers(self, request: Request) -> Response:
        return await self._period_page(request, "dashboard.html", "Numbers", overview)

    async def conversations(self, request: Request) -> Response:
        metric = request.query_params.get("metric", "")

        def listing(report_for: MakeReport, since: datetime, until: datetime) -> dict[str, Any]:
            return behind(report_for, since, until, metric)

        return await self._period_page(request, "dashboard_list.html", "Conversations", listing)

    async def export(self, request: Request) -> Response:
        return await self._period_page(request, "", "Numbers", export_csv)

    async def _period_page(
        self, request: Request, template: str, title: str, compute: Callable[..., Any]
    ) -> Response:
        """A page (or, without a template, the CSV) about the period in the query."""
        agent = await self._supervisor(request)
        if isinstance(agent, Response):
            return agent
        try:
            since, until = check_period(dict(request.query_params), self.ctx.clock.now().date())
            result = await run_in_threadpool(compute, self.report_for, since, until)
        except ParceldeskError as error:
            return self._page(request, "dashboard.html", 422, agent=agent, title=title,
                              error=error.message)  # fmt: skip
        if not template:
            return csv_response(result, since)
        return self._page(request, template, 200, agent=agent, title=title, **result)

    async def footprint(self, request: Request) -> Response:
        agent = await self._supervisor(request)
        if isinstance(agent, Response):
            return agent
        known = self.list_sites()
        chosen = request.query_params.getlist("site") or list(known)[:MAX_SITES]
        values: dict[str, Any] = {"agent": agent, "sites": known, "chosen": chosen,
                                  "title": "Compute footprint"}  # fmt: skip
        status = 200
        try:
            contacts = _contacts(request.query_params.get("contacts", "20000000"))
            unknown = [name for name in chosen if name not in known]
            if unknown or not chosen or len(chosen) > MAX_SITES:
                raise InvalidInput(f"choose 1-{MAX_SITES} of the listed sites")
            values |= await run_in_threadpool(
                _charts, tuple(known[name] for name in chosen), contacts
            )
            values["contacts"] = contacts
        except ParceldeskError as error:
            status, values["error"] = 422, error.message
            values["contacts"] = request.query_params.get("contacts", "")
        return self._page(request, "dashboard_footprint.html", status, **values)

    async def _supervisor(self, request: Request) -> Agent | Response:
        """The signed-in supervisor or admin, or where to send anyone else."""
        try:
            agent = await run_in_threadpool(
                get_signed_in_agent, self.ctx, request.cookies.get(SESSION_COOKIE)
            )
        except ParceldeskError:
            return RedirectResponse("/agent/login", status_code=303)
        if not agent.sees_every_queue:
            return RedirectResponse("/agent", status_code=303)
        return agent

    def _page(self, request: Request, name: str, status: int, **values: Any) -> Response:
        return render_page(self.ctx, request, name, CSRF_SCOPE, status, **values)


def _contacts(raw: str) -> int:
    try:
        contacts = int(float(raw))
    except ValueError:
        raise InvalidInput("contacts a year must be a number") from None
    if not 1 <= contacts <= 10**10:
        raise InvalidInput("contacts a year must be between 1 and 10,000,000,000")
    return contacts


@lru_cache(maxsize=32)
def _charts(sites: tuple[str, ...], contacts: int) -> dict[str, Any]:
    """The plans for these sites and their charts (a year of hours each: worth keeping)."""
    workload = Workload(contacts_per_year=contacts)
    cities = load_cities()
    plans = [make_plan(load_site(s), workload, CoolingDesign(), cities).summary(workload)
             for s in sites]  # fmt: skip
    modes = [
        stacked_bars(
            f"Cooling mode by month, {plan['site']}", list(MONTHS),
            {mode: [m[mode] for m in plan["mode_hours_by_month"]] for mode in MODES},
            "hours",
        )
        for plan in plans
    ]  # fmt: skip
    pue = lines("PUE by month", list(MONTHS),
                {plan["site"]: plan["pue_by_month"] for plan in plans}, "PUE")  # fmt: skip
    return {"plans": plans, "mode_charts": modes, "pue_chart": pue}
