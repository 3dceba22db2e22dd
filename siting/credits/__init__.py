"""Credits: from mitigation (tCO2e per project and year) to Article 6 ITMOs and money.

Lives here: mitigation tables of the wind and forest stages, the portfolio projects entered by
hand, the ITMO ledger (deductions, shares, vintages, corresponding adjustments), its summary
against the buyer's target, per-site ITMOs, and finance (prices, revenue, NPV).

May import: ``siting.errors``, ``siting.scenario``, and the tables of ``siting.wind`` and
``siting.forest`` it turns into mitigation. Science: no disk access.
"""
