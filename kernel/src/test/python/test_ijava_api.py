"""IJava's documented API beyond the feature notebook: %mavenRepo/%addMavenRepo,
%addMavenDependency/%addMavenDependencies, %loadFromPOM (line and cell, with <repository>,
<repositories>, <dependencies>, <dependency> fragments and whole POMs), magics as expressions,
lineMagic/cellMagic/eval. Maven artifacts come from a repository folder this test makes
(file: URLs), resolved into a temporary local repository, with Maven Central on a closed port:
no network is used. Run by environment/test-kernel.sh."""
import os
import shutil
import subprocess
import tempfile
import textwrap
import unittest

from kernel_client import Kernel, error_lines, stream_text

ARTIFACTS = ["a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "a9"]


def make_artifact(repo, work, name):
    """gptcourse.test:<name>:1.0, one class t.<name>.Hello whose hi() returns the name."""
    src = os.path.join(work, "src", name)
    os.makedirs(os.path.join(src, "t", name))
    with open(os.path.join(src, "t", name, "Hello.java"), "w") as f:
        f.write("package t.%s;\npublic class Hello { public String hi() { return \"%s\"; } }\n" % (name, name))
    classes = os.path.join(work, "classes", name)
    subprocess.run(["javac", "-d", classes, os.path.join(src, "t", name, "Hello.java")], check=True)
    folder = os.path.join(repo, "gptcourse", "test", name, "1.0")
    os.makedirs(folder)
    subprocess.run(["jar", "cf", os.path.join(folder, "%s-1.0.jar" % name), "-C", classes, "t"], check=True)
    with open(os.path.join(folder, "%s-1.0.pom" % name), "w") as f:
        f.write(textwrap.dedent("""\
            <project><modelVersion>4.0.0</modelVersion><groupId>gptcourse.test</groupId>
            <artifactId>%s</artifactId><version>1.0</version></project>
            """ % name))


def dependency(name):
    return ("<dependency><groupId>gptcourse.test</groupId><artifactId>%s</artifactId>"
            "<version>1.0</version></dependency>" % name)


class IJavaApi(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix="gptcourse-ijava-")
        cls.repo = os.path.join(cls.work, "remote")
        cls.local = os.path.join(cls.work, "local")
        for name in ARTIFACTS:
            make_artifact(cls.repo, cls.work, name)
        cls.url = "file://" + cls.repo
        os.makedirs(os.path.join(cls.work, "jars"))
        shutil.copy(os.path.join(cls.repo, "gptcourse/test/a9/1.0/a9-1.0.jar"), os.path.join(cls.work, "jars"))
        os.makedirs(os.path.join(cls.work, "central"))  # Maven Central stands in as an empty folder: no network
        cls.k = Kernel(env={"GPTCOURSE_MAVEN_CENTRAL": "file://" + os.path.join(cls.work, "central"),
                            "GPTCOURSE_KERNEL_JAVA_OPTS": "-Dmaven.repo.local=" + cls.local})

    @classmethod
    def tearDownClass(cls):
        cls.k.close()
        shutil.rmtree(cls.work, ignore_errors=True)

    def ok(self, code):
        reply, msgs = self.k.execute(code)
        self.assertEqual(reply["status"], "ok", msgs)
        results = [m["content"]["data"]["text/plain"] for m in msgs if m["msg_type"] == "execute_result"]
        return results[0] if results else None

    def fails(self, code):
        reply, msgs = self.k.execute(code)
        self.assertEqual(reply["status"], "error", msgs)
        return reply["ename"], error_lines(msgs)

    def hi(self, name):
        return self.ok("new t.%s.Hello().hi()" % name)

    def test_maven_repo_then_maven(self):
        self.fails("new t.a1.Hello()")  # not on the classpath before
        self.ok("%%mavenRepo local-test %s\n%%maven gptcourse.test:a1:1.0" % self.url)
        self.assertEqual(self.hi("a1"), "a1")
        self.assertTrue(os.path.isfile(os.path.join(self.local, "gptcourse/test/a1/1.0/a1-1.0.jar")),
                        "resolved into the local repository")

    def test_aliases(self):
        self.ok("%%addMavenRepo local-alias %s" % self.url)
        self.ok("%addMavenDependency gptcourse.test:a2:1.0")
        self.assertEqual(self.hi("a2"), "a2")
        self.ok("%addMavenDependencies gptcourse.test:a3:1.0")
        self.assertEqual(self.hi("a3"), "a3")

    def test_load_from_pom_line_magic(self):
        pom = os.path.join(self.work, "pom.xml")
        with open(pom, "w") as f:
            f.write("<project><modelVersion>4.0.0</modelVersion><groupId>x</groupId><artifactId>y</artifactId>"
                    "<version>1</version><repositories><repository><id>r</id><url>%s</url></repository>"
                    "</repositories><dependencies>%s</dependencies></project>" % (self.url, dependency("a4")))
        self.ok("%loadFromPOM " + pom)
        self.assertEqual(self.hi("a4"), "a4")

    def test_load_from_pom_cell_with_loose_repository_and_dependency(self):
        # IJava's own README example has this shape
        self.ok("%%%%loadFromPOM\n<repository>\n  <id>loose</id>\n  <url>%s</url>\n</repository>\n\n%s\n"
                % (self.url, dependency("a5")))
        self.assertEqual(self.hi("a5"), "a5")

    def test_load_from_pom_cell_with_lists_and_whole_project(self):
        self.ok("%%%%loadFromPOM\n<repositories><repository><id>l</id><url>%s</url></repository></repositories>\n"
                "<dependencies>%s</dependencies>" % (self.url, dependency("a6")))
        self.assertEqual(self.hi("a6"), "a6")
        self.ok("%%%%loadFromPOM\n<project><modelVersion>4.0.0</modelVersion><groupId>x</groupId>"
                "<artifactId>y</artifactId><version>1</version><properties><v>1.0</v></properties>"
                "<repositories><repository><id>p</id><url>%s</url></repository></repositories><dependencies>"
                "<dependency><groupId>gptcourse.test</groupId><artifactId>a7</artifactId><version>${v}</version>"
                "</dependency></dependencies></project>" % self.url)
        self.assertEqual(self.hi("a7"), "a7")

    def test_cell_magic_and_eval_from_code(self):
        code = ('cellMagic("loadFromPOM", List.of(), "<repository><id>c</id><url>%s</url></repository>%s");'
                % (self.url, dependency("a8").replace('"', '\\"')))
        self.ok(code)
        self.assertEqual(self.hi("a8"), "a8")
        self.assertEqual(self.ok('eval("int e1 = 20;\\ne1 + 22")'), "42")
        self.assertEqual(self.ok("e1"), "20")
        self.assertEqual(self.ok('Object none = eval("int e2 = 1;");\nnone == null'), "true")

    def test_magic_as_an_expression(self):
        self.assertEqual(self.ok("List<String> jars = %%jars %s/jars/*.jar;\njars.size()" % self.work), "1")
        self.assertTrue(self.ok("jars.get(0)").endswith("a9-1.0.jar'") or "a9-1.0.jar" in self.ok("jars.get(0)"))
        self.assertEqual(self.hi("a9"), "a9")
        self.assertEqual(self.ok('List<String> same = lineMagic("classpath", List.of("%s/jars"));\nsame.size()'
                                 % self.work), "1")

    def test_careless_and_hostile_input_fails_clearly(self):
        ename, tb = self.fails("%mavenRepo only-an-id")
        self.assertEqual(ename, "MagicError")
        self.assertIn("needs a repository id and its URL", tb[0])
        ename, tb = self.fails("%mavenRepo bad ftp://example.org/x")
        self.assertIn("not an http, https or file URL", tb[0])
        ename, tb = self.fails("%maven not-coordinates")
        self.assertIn("is not Maven coordinates", tb[0])
        ename, tb = self.fails("%%%%loadFromPOM\n<repository><id>x</id><url>%s</url></repository>\n<plugin/>" % self.url)
        self.assertIn("unrecognised tag <plugin>", tb[0])
        ename, tb = self.fails('%%loadFromPOM\n<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
                               '<dependency><groupId>&x;</groupId></dependency>')
        self.assertIn("can't be read", tb[0])
        self.assertNotIn("root:", "\n".join(tb))
        ename, tb = self.fails("%%loadFromPOM\n<dependency><groupId>gptcourse.test</groupId>")
        self.assertIn("can't be read", tb[0])
        ename, tb = self.fails("%%loadFromPOM\n" + dependency("does-not-exist"))
        self.assertIn("does-not-exist", tb[0])
        ename, tb = self.fails('Object x = lineMagic("nope", List.of());')
        self.assertIn("unknown magic", "\n".join(tb))
        ename, tb = self.fails('eval("int broken = ;")')
        self.assertIn("IllegalStateException", tb[0])
        self.assertEqual(self.ok("1 + 1"), "2")


if __name__ == "__main__":
    unittest.main(verbosity=2)
