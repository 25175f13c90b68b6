"""What an account's GitHub Marketplace plan allows, and what a coming change will do.

GitHub bills accounts; ``marketplace_purchase`` events keep a ``MarketplacePlan`` per account.
The one limit a plan sets is how many **private** repositories Fortify scans (public ones are
always scanned). Accounts that installed the App directly, without a Marketplace plan, are
not limited here. A downgrade never stops scanning in the middle of a pull request: pull
requests that already had a scan keep being scanned until they close, and a pending change is
shown with its date before it takes effect.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from installations.models import Installation, MarketplacePlan, Repository

# Private repositories scanned per plan name (case-insensitive); None = no limit.
# Per-unit plans allow unit_count private repositories instead; FREE-priced plans the free count.
PRIVATE_REPOSITORY_LIMITS: dict[str, int | None] = {
    "free": 1,
    "team": 10,
    "business": 50,
    "enterprise": None,
}
FREE_PLAN_NAME = "Free"


@dataclass(frozen=True)
class Allowance:
    """What an account may do now, and what is about to change."""

    plan_name: str
    source: str  # "marketplace", "cancelled" or "direct"
    private_repositories: int | None
    on_free_trial: bool = False
    free_trial_ends_on: datetime | None = None
    pending_plan_name: str = ""
    pending_private_repositories: int | None = None
    pending_effective_date: datetime | None = None

    @property
    def limited(self) -> bool:
        return self.private_repositories is not None

    def describe_limit(self) -> str:
        if self.private_repositories is None:
            return "unlimited private repositories"
        plural = "y" if self.private_repositories == 1 else "ies"
        return f"{self.private_repositories} private repositor{plural}"


def private_repository_limit(plan_name: str, price_model: str = "",
                             unit_count: int | None = None) -> int | None:
    """A per-unit plan buys ``unit_count`` private repositories; a free plan the free count;
    other plans by name; a plan we do not know is not limited (never punish a payer)."""
    if price_model == "PER_UNIT" and unit_count:
        return unit_count
    if price_model == "FREE":
        return PRIVATE_REPOSITORY_LIMITS["free"]
    return PRIVATE_REPOSITORY_LIMITS.get(plan_name.strip().lower())


def allowance_for_account(account_id: int) -> Allowance:
    plan = MarketplacePlan.objects.filter(account_id=account_id).first()
    if plan is None:
        return Allowance(plan_name="No Marketplace plan", source="direct",
                         private_repositories=None)
    if plan.status == MarketplacePlan.Status.CANCELLED:
        return Allowance(plan_name=f"{FREE_PLAN_NAME} (plan cancelled)", source="cancelled",
                         private_repositories=PRIVATE_REPOSITORY_LIMITS["free"])
    pending_limit = (private_repository_limit(plan.pending_plan_name)
                     if plan.pending_plan_name else None)
    return Allowance(
        plan_name=plan.plan_name or "Unnamed plan", source="marketplace",
        private_repositories=private_repository_limit(plan.plan_name, plan.price_model,
                                                      plan.unit_count),
        on_free_trial=plan.on_free_trial, free_trial_ends_on=plan.free_trial_ends_on,
        pending_plan_name=plan.pending_plan_name, pending_private_repositories=pending_limit,
        pending_effective_date=plan.pending_effective_date,
    )


def allowance_for(installation: Installation) -> Allowance:
    return allowance_for_account(installation.account_id)


def scanned_private_repositories(account_id: int):
    """The account's enabled private repositories, in the order they count against the limit
    (oldest first: repositories enabled earlier keep their place after a downgrade)."""
    return (Repository.objects.scannable()
            .filter(private=True, installation__account_id=account_id).order_by("pk"))


def check_selection(installation: Installation, enabled_private: int) -> str | None:
    """An error message when enabling this many private repositories exceeds the plan."""
    allowance = allowance_for(installation)
    if allowance.private_repositories is None:
        return None
    others = scanned_private_repositories(installation.account_id).exclude(
        installation=installation).count()
    if others + enabled_private <= allowance.private_repositories:
        return None
    return (f"Your plan ({allowance.plan_name}) allows {allowance.describe_limit()}; this "
            f"choice would scan {others + enabled_private}. Select fewer private repositories "
            "or change your plan on GitHub Marketplace.")


def repositories_over_limit(account_id: int, limit: int | None) -> list[Repository]:
    if limit is None:
        return []
    return list(scanned_private_repositories(account_id)[limit:])


def scan_permitted(repository: Repository, pr_number: int | None) -> bool:
    """May a new scan of this repository start under its account's plan?

    Public repositories always. A private repository beyond the plan's count is not scanned
    for new pull requests, but a pull request that was already being scanned keeps its scans
    until it closes, so a downgrade never leaves a pull request half-checked.
    """
    if not repository.private or repository.installation is None:
        return True
    account_id = repository.installation.account_id
    allowance = allowance_for_account(account_id)
    if allowance.private_repositories is None:
        return True
    allowed = list(scanned_private_repositories(account_id)
                   .values_list("pk", flat=True)[:allowance.private_repositories])
    if repository.pk in allowed:
        return True
    return pr_number is not None and repository.scans.filter(pr_number=pr_number).exists()


def coming_changes(installation: Installation) -> list[str]:
    """Sentences that say what a pending change, a trial's end or a cancellation does, when."""
    allowance = allowance_for(installation)
    messages = []
    if allowance.pending_plan_name:
        when = (allowance.pending_effective_date.date().isoformat()
                if allowance.pending_effective_date else "the end of the billing cycle")
        message = f"On {when} your plan changes to {allowance.pending_plan_name}"
        if allowance.pending_private_repositories is not None:
            over = repositories_over_limit(installation.account_id,
                                           allowance.pending_private_repositories)
            plural = "y" if allowance.pending_private_repositories == 1 else "ies"
            message += (f", which scans {allowance.pending_private_repositories} private "
                        f"repositor{plural}")
            if over:
                message += (". New pull requests in " + ", ".join(r.full_name for r in over)
                            + " will then not be scanned; pull requests open at that time "
                              "keep being scanned until they close")
        messages.append(message + ".")
    if allowance.on_free_trial and allowance.free_trial_ends_on:
        messages.append(f"Your free trial of {allowance.plan_name} ends on "
                        f"{allowance.free_trial_ends_on.date().isoformat()}.")
    if allowance.source == "cancelled":
        over = repositories_over_limit(installation.account_id, allowance.private_repositories)
        message = (f"Your Marketplace plan was cancelled: Fortify scans "
                   f"{allowance.describe_limit()} and every public repository")
        if over:
            message += (". New pull requests in " + ", ".join(r.full_name for r in over)
                        + " are not scanned; pull requests already scanned keep being scanned "
                          "until they close")
        messages.append(message + ".")
    elif allowance.limited:
        over = repositories_over_limit(installation.account_id, allowance.private_repositories)
        if over:
            messages.append(
                f"Your plan ({allowance.plan_name}) scans {allowance.describe_limit()}: new pull "
                "requests in " + ", ".join(r.full_name for r in over) + " are not scanned; "
                "pull requests already scanned keep being scanned until they close.")
    return messages
