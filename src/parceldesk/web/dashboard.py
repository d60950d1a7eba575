"""Dashboards for supervisors and admins, signed in through the agent workspace. So far: the
compute footprint — cooling mode and PUE by month on each site, and the sites side by side."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

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

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MAX_SITES = 4


def build_dashboard(ctx: Context, list_sites: Callable[[], dict[str, str]]) -> APIRouter:
    """``list_sites``: the sites one may pick, name -> packaged name or site file."""
    router = APIRouter(prefix="/dashboard", include_in_schema=False)

    @router.get("/footprint")
    async def footprint(request: Request) -> Response:
        try:
            agent = await run_in_threadpool(
                get_signed_in_agent, ctx, request.cookies.get(SESSION_COOKIE)
            )
        except ParceldeskError:
            return RedirectResponse("/agent/login", status_code=303)
        if not agent.sees_every_queue:
            return RedirectResponse("/agent", status_code=303)
        known = list_sites()
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
        return render_page(ctx, request, "dashboard_footprint.html", CSRF_SCOPE, status, **values)

    return router


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
