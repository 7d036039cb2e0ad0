"""A fake ECS task metadata endpoint v4: ${URI} (this container) and
${URI}/task, answering with the AWS documentation's and OpenTelemetry's
example documents vendored in test/data/aws/ecs-task-metadata-v4 (read at run
time; where they come from: test/data/aws/SOURCES). GET only; anything else
is 404 / a violation.

variant: "fargate" (OpenTelemetry fixtures) or "ec2" (AWS docs).
"""
import json
from pathlib import Path

from aws_common import Fake, StrictHandler

EXAMPLES = Path(__file__).resolve().parents[1] / "data" / "aws" / "ecs-task-metadata-v4"
FILES = {
    "fargate": ("otel-go-contrib/metadatav4-response-task-fargate.json",
                "otel-go-contrib/metadatav4-response-container-fargate.json"),
    "ec2": ("aws-docs-ec2/task.json", "aws-docs-ec2/container.json"),
}
ENDPOINT_ID = "a8585b9f1b5d4a3c9bd5e1c4ed7a7b1c-3740627164"


class MetaHandler(StrictHandler):
    def do_request(self, rec):
        f = self.server.fake
        if rec["method"] != "GET":
            self.server.violate(f"{rec['method']} {rec['path']}")
            self.reply(405, {"message": "method not allowed"})
        elif rec["path"] == f.base_path + "/task":
            self.reply(200, f.task)
        elif rec["path"] == f.base_path:
            self.reply(200, f.container)
        else:
            self.reply(404, {"message": "not found"})


class FakeTaskMetadata(Fake):
    def __init__(self, variant="fargate", host="127.0.0.1", port=0):
        super().__init__(MetaHandler, host, port)
        task, container = FILES[variant]
        self.task = json.loads((EXAMPLES / task).read_text())
        self.container = json.loads((EXAMPLES / container).read_text())
        self.base_path = f"/v4/{ENDPOINT_ID}"

    @property
    def uri(self):
        return self.url + self.base_path
