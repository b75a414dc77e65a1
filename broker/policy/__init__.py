"""Policy as data: loaded from `policies/*.yaml`, validated at start-up, versioned by hash."""

from broker.policy.loader import Policy, PolicyError, PolicyProblem, check_policy, load_policy

__all__ = ["Policy", "PolicyError", "PolicyProblem", "check_policy", "load_policy"]
