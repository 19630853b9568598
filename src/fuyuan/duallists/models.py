"""The annual dual lists: call, proposals, claims and objections, draft, approval."""
