"""GraphQL documents more than one test module sends, built around the fields each reads back."""

from __future__ import annotations


def register(fields: str) -> str:
    return f"""
mutation Register($input: RegisterContributionInput!) {{
  registerContribution(input: $input) {{
    contribution {{ {fields} }}
    replayed
    userErrors {{ field message code }}
  }}
}}
"""


def update_contribution(fields: str) -> str:
    return f"""
mutation UpdateContribution($input: UpdateContributionInput!) {{
  updateContribution(input: $input) {{
    contribution {{ {fields} }}
    userErrors {{ field message code }}
  }}
}}
"""


def withdraw_contribution(fields: str) -> str:
    return f"""
mutation WithdrawContribution($input: WithdrawContributionInput!) {{
  withdrawContribution(input: $input) {{
    contribution {{ {fields} }}
    userErrors {{ field message code }}
  }}
}}
"""
