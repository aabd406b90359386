"""The fictional AI platform behind the default course dataset: business units, GPU fleet, prices.

Prices are AWS On-Demand Linux list prices per instance-hour (us-east-1 unless noted), as published
on the AWS EC2 pricing pages in 2025 (P4d/P5 after the June 2025 price reduction); storage and
network prices from the S3, EBS, VPC and data-transfer pricing pages. They are realistic, not
authoritative: the course recomputes every answer from the generated file, whatever the prices.
"""
from __future__ import annotations

from dataclasses import dataclass

BUSINESS_UNITS = ("search", "ads", "recsys", "research", "assistant")

ACCOUNTS = {  # one AWS account per business unit, plus the shared platform account
    "search": ("310000000001", "search-prod"), "ads": ("310000000002", "ads-prod"),
    "recsys": ("310000000003", "recsys-prod"), "research": ("310000000004", "research"),
    "assistant": ("310000000005", "assistant-prod"), None: ("310000000009", "platform-shared"),
}
REGIONS = {"us-east-1": "US East (N. Virginia)", "us-west-2": "US West (Oregon)",
           "eu-west-1": "Europe (Ireland)"}


@dataclass(frozen=True)
class InstanceType:
    name: str
    gpu_model: str
    gpus: int
    price: float        # On-Demand $/instance-hour


INSTANCE_TYPES = {t.name: t for t in (
    InstanceType("p5.48xlarge", "H100", 8, 55.04),
    InstanceType("p4d.24xlarge", "A100", 8, 21.96),
    InstanceType("g6.xlarge", "L4", 1, 0.8048),
    InstanceType("g6.12xlarge", "L4", 4, 4.6016),
    InstanceType("g5.xlarge", "A10G", 1, 1.006),
    InstanceType("g4dn.xlarge", "T4", 1, 0.526),
    InstanceType("g4dn.12xlarge", "T4", 4, 3.912),
)}


@dataclass(frozen=True)
class GpuGroup:
    """Identical GPU instances of one business unit doing one job."""

    name: str
    business_unit: str | None      # None: untagged (a tagging gap, not shared cost)
    instance_type: str
    count: int
    region: str
    utilization: float              # mean GPU utilisation when running
    weekend_count: int | None = None        # autoscaled down at weekends
    weekday_only: bool = False              # training queue idle at weekends
    run_probability: float = 1.0            # chance an instance runs on a given day
    committed: bool = False                 # covered by the Savings Plan
    environment: str = "prod"
    workload: str = "inference"


GPU_GROUPS = (
    GpuGroup("search-l4-inference", "search", "g6.xlarge", 6, "us-east-1", 0.32, weekend_count=4),
    GpuGroup("search-t4-legacy", "search", "g4dn.xlarge", 4, "us-east-1", 0.27),
    GpuGroup("ads-a10g-ranking", "ads", "g5.xlarge", 4, "us-east-1", 0.41, weekend_count=3),
    GpuGroup("ads-l4-batch", "ads", "g6.12xlarge", 1, "us-west-2", 0.38),
    GpuGroup("recsys-a100-training", "recsys", "p4d.24xlarge", 1, "us-west-2", 0.66, weekday_only=True,
             workload="training"),
    GpuGroup("recsys-t4-serving", "recsys", "g4dn.12xlarge", 2, "us-west-2", 0.33),
    GpuGroup("research-h100-cluster", "research", "p5.48xlarge", 2, "us-east-1", 0.78, committed=True,
             run_probability=0.9, workload="training"),
    GpuGroup("research-a100-training", "research", "p4d.24xlarge", 2, "us-west-2", 0.55,
             run_probability=0.8, workload="training"),
    GpuGroup("research-notebooks", "research", "g5.xlarge", 3, "us-east-1", 0.12, environment="dev",
             workload="notebook"),
    GpuGroup("untagged-notebook", None, "g5.xlarge", 1, "us-east-1", 0.10, environment="dev",
             workload="notebook"),
    GpuGroup("assistant-l4-serving", "assistant", "g6.12xlarge", 3, "eu-west-1", 0.47),
    GpuGroup("assistant-h100-finetune", "assistant", "p5.48xlarge", 1, "us-east-1", 0.71,
             run_probability=0.6, workload="training"),
)

# Savings Plan over the research H100 cluster: commitment = its instances at the committed rate.
SAVINGS_PLAN = {"id": "arn:aws:savingsplans::310000000004:savingsplan/sp-0h100research", "discount": 0.35,
                "group": "research-h100-cluster"}


@dataclass(frozen=True)
class FlatService:
    """A daily charge that is not a GPU instance: storage, networking, databases, monitoring."""

    name: str
    business_unit: str | None      # None: shared platform cost, untagged
    service_category: str
    service_name: str
    region: str
    unit: str
    daily_quantity: float          # mean units consumed per day
    unit_price: float              # list $ per unit
    growth_per_month: float = 0.0  # storage grows
    noise: float = 0.05            # relative day-to-day spread


S3 = "Amazon Simple Storage Service"
FLAT_SERVICES = (
    # storage: GB-month prices ÷ 30 days, quantities in GB-days
    FlatService("search-index-s3", "search", "Storage", S3, "us-east-1", "GB-Mo", 60_000 / 30, 0.023, 0.02),
    FlatService("ads-logs-s3", "ads", "Storage", S3, "us-east-1", "GB-Mo", 90_000 / 30, 0.023, 0.04),
    FlatService("recsys-features-s3", "recsys", "Storage", S3, "us-west-2", "GB-Mo", 45_000 / 30, 0.023, 0.03),
    FlatService("research-datalake-s3", "research", "Storage", S3, "us-east-1", "GB-Mo", 420_000 / 30, 0.023,
                0.03),
    FlatService("research-checkpoints-ebs", "research", "Storage", "Amazon Elastic Block Store", "us-east-1",
                "GB-Mo", 120_000 / 30, 0.08, 0.01),
    FlatService("assistant-models-s3", "assistant", "Storage", S3, "eu-west-1", "GB-Mo", 30_000 / 30, 0.023,
                0.02),
    FlatService("shared-artifacts-s3", None, "Storage", S3, "us-east-1", "GB-Mo", 150_000 / 30, 0.023, 0.02),
    # networking
    FlatService("search-egress", "search", "Networking", "AWS Data Transfer", "us-east-1", "GB", 1_500, 0.09),
    FlatService("ads-egress", "ads", "Networking", "AWS Data Transfer", "us-east-1", "GB", 1_100, 0.09),
    FlatService("assistant-egress", "assistant", "Networking", "AWS Data Transfer", "eu-west-1", "GB", 600, 0.09),
    FlatService("shared-nat-gateway", None, "Networking", "Amazon Virtual Private Cloud", "us-east-1", "GB",
                4_000, 0.045),
    FlatService("shared-transit-gateway", None, "Networking", "AWS Transit Gateway", "us-east-1", "GB",
                3_000, 0.02),
    # databases and analytics
    FlatService("ads-aurora", "ads", "Databases", "Amazon Relational Database Service", "us-east-1", "Hrs",
                48, 1.16),
    FlatService("search-opensearch", "search", "Analytics", "Amazon OpenSearch Service", "us-east-1", "Hrs",
                72, 0.998),
    # shared platform services
    FlatService("shared-cloudwatch", None, "Management and Governance", "Amazon CloudWatch", "us-east-1",
                "Metrics", 2_400, 0.01),
    FlatService("shared-guardduty", None, "Security", "Amazon GuardDuty", "us-east-1", "Events", 9_000, 0.004),
    FlatService("shared-eks-control", None, "Compute", "Amazon Elastic Kubernetes Service", "us-east-1", "Hrs",
                96, 0.10),
)

SUPPORT_RATE = 0.03      # AWS Business Support, % of monthly usage (simplified to a flat rate)
TAX_RATE = 0.015         # sales tax on the month's billed usage, untagged
CREDIT = {"business_unit": "research", "monthly_amount": -4_000.0,
          "description": "AWS Cloud Credit for Research, monthly tranche"}

# Daily business volumes (means): model inferences served, and completed training runs. Volumes
# put unit costs where real platforms see them (cents to dollars per 1,000 inferences), well above
# the grader's absolute tolerance of 0.005.
BUSINESS_METRICS = {
    "search": {"inferences": 1_200_000}, "ads": {"inferences": 900_000},
    "recsys": {"inferences": 600_000, "training_runs": 1.0},
    "research": {"training_runs": 5.0}, "assistant": {"inferences": 250_000, "training_runs": 0.4},
}

# Budgets as a multiple of each unit's expected monthly cost; < 1/1.1 triggers a budget alert.
BUDGET_FACTORS = {"search": 1.15, "ads": 1.05, "recsys": 1.10, "research": 0.88, "assistant": 1.20}

# Cost anomalies injected on chosen days: (kind, business unit, multiplier or extra instances).
ANOMALIES = (
    {"kind": "runaway_training", "business_unit": "research", "group": "research-a100-training",
     "extra_instances": 6, "description": "a forgotten hyper-parameter sweep kept 6 extra p4d.24xlarge up"},
    {"kind": "autoscaler_runaway", "business_unit": "search", "group": "search-l4-inference",
     "extra_instances": 30, "description": "an autoscaler misconfiguration scaled L4 inference to 36 nodes"},
    {"kind": "egress_spike", "business_unit": "ads", "service": "ads-egress", "multiplier": 12.0,
     "description": "debug logging shipped raw request logs cross-region"},
)

GRID_INTENSITY = {  # gCO2e/kWh: Cloud Carbon Footprint AWS region coefficients; default = spec default
    "default": 475.0, "us-east-1": 379.069, "us-west-2": 322.167, "eu-west-1": 278.6}
GPU_POWER_WATTS = {  # min (idle) and max watts per GPU
    "A100": {"min": 46, "max": 407}, "V100": {"min": 35, "max": 306}, "T4": {"min": 8, "max": 71},
    "A10G": {"min": 18, "max": 153}, "H100": {"min": 70, "max": 700}, "L4": {"min": 8, "max": 72}}
SOURCES = {
    "pue": "Cloud Carbon Footprint methodology: AWS PUE 1.135",
    "grid_intensity_g_per_kwh": "Cloud Carbon Footprint AWS region emissions factors; default: "
                                "reference-models.md default 475 g/kWh",
    "gpu_power_watts": "Cloud Carbon Footprint GPU coefficients (A100, V100, T4, A10G); H100 SXM 700 W and "
                       "L4 72 W maxima from NVIDIA datasheets, minima a course estimate at ~10% of max as CCF's",
    "prices": "AWS On-Demand list prices (EC2, S3, EBS, VPC, data transfer), 2025, approximate",
}
